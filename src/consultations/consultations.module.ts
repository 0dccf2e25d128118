import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/auth.module';
import { ForumModule } from '../forum/forum.module';
import { CalendarFeedsController } from './calendar-feeds.controller';
import { CalendarFeedsService } from './calendar-feeds.service';
import { ConsultationRulesController } from './consultation-rules.controller';
import { ConsultationRulesService } from './consultation-rules.service';
import { ConsultationStatusService } from './consultation-status.service';
import { ConsultationsController } from './consultations.controller';
import { ConsultationsService } from './consultations.service';
import { CalendarFeed } from './entities/calendar-feed.entity';
import { CollectiveRedundancyRule } from './entities/collective-redundancy-rule.entity';
import { Consultation } from './entities/consultation.entity';
import { Milestone } from './entities/milestone.entity';
import { MilestonesController } from './milestones.controller';
import { MilestonesService } from './milestones.service';

/** Consultations, their statutory deadlines and milestones, the reps' status view and calendar feeds. */
@Module({
  imports: [TypeOrmModule.forFeature([Consultation, CollectiveRedundancyRule, Milestone, CalendarFeed]), ForumModule, AuthModule],
  controllers: [ConsultationsController, MilestonesController, ConsultationRulesController, CalendarFeedsController],
  providers: [ConsultationsService, ConsultationRulesService, MilestonesService, ConsultationStatusService, CalendarFeedsService],
  exports: [ConsultationsService, MilestonesService, ConsultationStatusService, CalendarFeedsService],
})
export class ConsultationsModule {}
