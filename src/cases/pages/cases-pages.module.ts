import { Module } from '@nestjs/common';
import { EstablishmentModule } from '../../establishment/establishment.module';
import { PeopleModule } from '../../people/people.module';
import { CasesModule } from '../cases.module';
import { BulkPage } from './bulk.page';
import { CasePage } from './case.page';
import { CasesListPage } from './cases-list.page';
import { PersonPage } from './person.page';
import { PipelinePage } from './pipeline.page';

/** The pages of transition cases and people: list, case, bulk changes, pipeline, a person's history. */
@Module({
  imports: [CasesModule, PeopleModule, EstablishmentModule],
  controllers: [CasesListPage, BulkPage, CasePage, PersonPage, PipelinePage],
})
export class CasesPagesModule {}
