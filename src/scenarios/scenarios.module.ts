import { Module } from '@nestjs/common';
import { EstablishmentModule } from '../establishment/establishment.module';
import { ScenariosController } from './scenarios.controller';
import { ScenariosService } from './scenarios.service';

/** Scope scenarios: proposed changes to a programme's posts, compared and merged (issue 16). */
@Module({
  imports: [EstablishmentModule],
  controllers: [ScenariosController],
  providers: [ScenariosService],
  exports: [ScenariosService],
})
export class ScenariosModule {}
