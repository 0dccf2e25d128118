import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Forum } from './entities/forum.entity';
import { ForumAction } from './entities/forum-action.entity';
import { ForumMeeting } from './entities/forum-meeting.entity';
import { ForumMember } from './entities/forum-member.entity';
import { Representation } from './entities/representation.entity';
import { TradeUnion } from './entities/trade-union.entity';
import { ForumMeetingsController } from './forum-meetings.controller';
import { ForumMeetingsService } from './forum-meetings.service';
import { ForumController } from './forum.controller';
import { ForumService } from './forum.service';
import { RepresentationsController } from './representations.controller';
import { RepresentationsService } from './representations.service';

/** The joint trade union forum: unions, members, meetings, minutes, actions, representations. */
@Module({
  imports: [TypeOrmModule.forFeature([Forum, TradeUnion, ForumMember, ForumMeeting, ForumAction, Representation])],
  controllers: [ForumController, ForumMeetingsController, RepresentationsController],
  providers: [ForumService, ForumMeetingsService, RepresentationsService],
  exports: [ForumService, ForumMeetingsService, RepresentationsService],
})
export class ForumModule {}
