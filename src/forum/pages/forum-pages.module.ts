import { Module } from '@nestjs/common';
import { ConsultationsModule } from '../../consultations/consultations.module';
import { ForumModule } from '../forum.module';
import { ForumPages } from './forum.page';
import { MeetingPages } from './meetings.page';
import { RepresentationPages } from './representations.page';

/** The joint trade union forum as pages: members, meetings and minutes, representations and responses. */
@Module({
  imports: [ForumModule, ConsultationsModule],
  controllers: [ForumPages, MeetingPages, RepresentationPages],
})
export class ForumPagesModule {}
