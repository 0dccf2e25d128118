/**
 * Every migration, in order. The schema's only author; a test checks that each
 * file in this folder is listed here.
 */
import { CreateSmokeJobs1763800000000 } from './1763800000000-CreateSmokeJobs';
import { CreateIdentityAndAudit1763800100000 } from './1763800100000-CreateIdentityAndAudit';
import { CreateEstablishmentCore1763800200000 } from './1763800200000-CreateEstablishmentCore';
import { CreateDomainEvents1763800250000 } from './1763800250000-CreateDomainEvents';

export const migrations = [
  CreateSmokeJobs1763800000000,
  CreateIdentityAndAudit1763800100000,
  CreateEstablishmentCore1763800200000,
  CreateDomainEvents1763800250000,
  // add new migrations above this line, in timestamp order
];
