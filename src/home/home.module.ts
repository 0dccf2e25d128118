import { Module } from '@nestjs/common';
import { CasesModule } from '../cases/cases.module';
import { EstablishmentModule } from '../establishment/establishment.module';
import { HomePage } from './pages/home.page';

/** Each role's home page: what needs the caller's attention, from the features that own it. */
@Module({
  imports: [EstablishmentModule, CasesModule],
  controllers: [HomePage],
})
export class HomeModule {}
