import { Module } from '@nestjs/common';
import { EstablishmentModule } from '../../establishment/establishment.module';
import { ForumModule } from '../../forum/forum.module';
import { ConsultationsModule } from '../consultations.module';
import { CalendarPages } from './calendar.page';
import { ConsultationPages } from './consultation.page';
import { MilestonePages } from './milestones.page';

/** The consultation as pages: the reps' status view, the calendar subscription, HR's forms and milestones. */
@Module({
  imports: [ConsultationsModule, ForumModule, EstablishmentModule],
  controllers: [ConsultationPages, CalendarPages, MilestonePages],
})
export class ConsultationPagesModule {}
