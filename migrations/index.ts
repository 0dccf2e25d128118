/**
 * Every migration, in order. The schema's only author; a test checks that each
 * file in this folder is listed here.
 */
import { CreateSmokeJobs1763800000000 } from './1763800000000-CreateSmokeJobs';
import { CreateIdentityAndAudit1763800100000 } from './1763800100000-CreateIdentityAndAudit';
import { CreateEstablishmentCore1763800200000 } from './1763800200000-CreateEstablishmentCore';
import { CreateDomainEvents1763800250000 } from './1763800250000-CreateDomainEvents';
import { CreateScopeHistoryAndProposals1763800300000 } from './1763800300000-CreateScopeHistoryAndProposals';
import { CreateEstablishmentMatrixFunction1763800310000 } from './1763800310000-CreateEstablishmentMatrixFunction';
import { ExtendEmployeesAndAssignments1763800400000 } from './1763800400000-ExtendEmployeesAndAssignments';
import { CreateTransitionCases1763800410000 } from './1763800410000-CreateTransitionCases';
import { CreateConsultationsAndForum1763800500000 } from './1763800500000-CreateConsultationsAndForum';
import { CreateNotifications1763800600000 } from './1763800600000-CreateNotifications';
import { AddStatutoryClock1764000100000 } from './1764000100000-AddStatutoryClock';
import { GrantRuntimeRole1764100000000 } from './1764100000000-GrantRuntimeRole';
import { CreateSingleSignOn1764500000000 } from './1764500000000-CreateSingleSignOn';
import { NotifyIdentityChanges1764660000000 } from './1764660000000-NotifyIdentityChanges';
import { KeepStoredFilesInObjectStore1764670000000 } from './1764670000000-KeepStoredFilesInObjectStore';
import { AddNotificationJobId1764680000000 } from './1764680000000-AddNotificationJobId';
import { NotificationsUpdateInPlace1764690000000 } from './1764690000000-NotificationsUpdateInPlace';
import { RecordPasswordResetEmails1764700000000 } from './1764700000000-RecordPasswordResetEmails';
import { ExtendEvidencePacks1764610000000 } from './1764610000000-ExtendEvidencePacks';
import { CreateDocuments1764300000000 } from './1764300000000-CreateDocuments';
import { DocumentsIssuedPdfLater1764300100000 } from './1764300100000-DocumentsIssuedPdfLater';
import { AddDeliveryAttemptRecord1764200200000 } from './1764200200000-AddDeliveryAttemptRecord';
import { CreateScopeScenarios1764400000000 } from './1764400000000-CreateScopeScenarios';
import { TuneScenarioMatrixDelta1764400001000 } from './1764400001000-TuneScenarioMatrixDelta';
import { CreateEliBuilds1764600000000 } from './1764600000000-CreateEliBuilds';
import { CreateImports1764650000000 } from './1764650000000-CreateImports';
import { CreateDocumentDeliveries1764620000000 } from './1764620000000-CreateDocumentDeliveries';

export const migrations = [
  CreateSmokeJobs1763800000000,
  CreateIdentityAndAudit1763800100000,
  CreateEstablishmentCore1763800200000,
  CreateDomainEvents1763800250000,
  CreateScopeHistoryAndProposals1763800300000,
  CreateEstablishmentMatrixFunction1763800310000,
  ExtendEmployeesAndAssignments1763800400000,
  CreateTransitionCases1763800410000,
  CreateConsultationsAndForum1763800500000,
  CreateNotifications1763800600000,
  AddStatutoryClock1764000100000,
  GrantRuntimeRole1764100000000,
  AddDeliveryAttemptRecord1764200200000,
  CreateDocuments1764300000000,
  DocumentsIssuedPdfLater1764300100000,
  CreateScopeScenarios1764400000000,
  TuneScenarioMatrixDelta1764400001000,
  CreateSingleSignOn1764500000000,
  CreateEliBuilds1764600000000,
  ExtendEvidencePacks1764610000000,
  CreateDocumentDeliveries1764620000000,
  CreateImports1764650000000,
  NotifyIdentityChanges1764660000000,
  KeepStoredFilesInObjectStore1764670000000,
  AddNotificationJobId1764680000000,
  NotificationsUpdateInPlace1764690000000,
  RecordPasswordResetEmails1764700000000,
  // add new migrations above this line, in timestamp order
];
