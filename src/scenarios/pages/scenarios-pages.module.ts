import { Module } from '@nestjs/common';
import { ScenariosModule } from '../scenarios.module';

/** The scenarios' pages: list and create per programme, a scenario's tabs, changes, status, compare, merge. */
@Module({
  imports: [ScenariosModule],
  controllers: [],
})
export class ScenariosPagesModule {}
