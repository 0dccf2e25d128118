import { Module } from '@nestjs/common';
import { EstablishmentModule } from '../../establishment/establishment.module';
import { ScenariosModule } from '../scenarios.module';
import { ScenarioPages } from './scenarios.page';

/** The scenarios' pages: list and create per programme, a scenario's tabs, changes, status, compare, merge. */
@Module({
  imports: [ScenariosModule, EstablishmentModule],
  controllers: [ScenarioPages],
})
export class ScenariosPagesModule {}
