import { ApiProperty } from '@nestjs/swagger';
import { MilestoneKind, MilestoneStatus } from '../entities/milestone.entity';
import type { Phase } from '../timeline';
import { ConsultationResponse } from './consultation.dto';

const COUNT_DOC = 'A whole number, "<5" for a count under 5 (its FTE is "<5" too), or null when withheld so a "<5" cell cannot be worked out from the total';

export class AffectedCell {
  @ApiProperty({ oneOf: [{ type: 'integer' }, { type: 'string', enum: ['<5'] }], nullable: true, description: COUNT_DOC }) posts: number | string | null;
  @ApiProperty({ oneOf: [{ type: 'number' }, { type: 'string', enum: ['<5'] }], nullable: true, description: COUNT_DOC }) fte: number | string | null;
  @ApiProperty({ enum: ['fewer_than_5', 'complementary'], nullable: true }) suppressed: 'fewer_than_5' | 'complementary' | null;
}

export class AffectedByGrade extends AffectedCell {
  @ApiProperty({ example: 'G7', description: 'The grade as reported (senior grades together as ">G12")' }) grade: string;
}

export class AffectedByArea extends AffectedCell {
  @ApiProperty({ example: 'Mental Health' }) thematicArea: string;
}

export class AffectedSummary {
  @ApiProperty({ type: AffectedCell }) total: AffectedCell;
  @ApiProperty({ type: [AffectedByGrade] }) byGrade: AffectedByGrade[];
  @ApiProperty({ type: [AffectedByArea] }) byThematicArea: AffectedByArea[];
}

export class StatusMilestone {
  @ApiProperty() id: string;
  @ApiProperty() title: string;
  @ApiProperty({ enum: MilestoneKind }) kind: MilestoneKind;
  @ApiProperty() dueDate: string;
  @ApiProperty({ enum: MilestoneStatus }) status: MilestoneStatus;
  @ApiProperty({ nullable: true, type: String }) completedOn: string | null;
  @ApiProperty({ description: 'Pending and past its due date' }) overdue: boolean;
  @ApiProperty({ nullable: true, type: Number, description: 'Pending: days from asOf to the due date (negative when overdue)' }) daysUntilDue: number | null;
}

export class StatusPaper {
  @ApiProperty() title: string;
  @ApiProperty({ nullable: true, type: String }) url: string | null;
}

export class StatusMeeting {
  @ApiProperty() id: string;
  @ApiProperty() title: string;
  @ApiProperty() startsAt: string;
  @ApiProperty() endsAt: string;
  @ApiProperty() location: string;
  @ApiProperty({ nullable: true, type: String }) agenda: string | null;
  @ApiProperty({ type: [StatusPaper] }) papers: StatusPaper[];
}

export class StatusAction {
  @ApiProperty() id: string;
  @ApiProperty() meetingId: string;
  @ApiProperty() description: string;
  @ApiProperty({ description: 'A role or side' }) owner: string;
  @ApiProperty() dueDate: string;
  @ApiProperty() overdue: boolean;
}

export class StatusRepresentation {
  @ApiProperty() id: string;
  @ApiProperty() unionName: string;
  @ApiProperty() subject: string;
  @ApiProperty() receivedAt: string;
  @ApiProperty({ description: 'Whole days since it was received' }) daysWaiting: number;
  @ApiProperty({ nullable: true, type: String, description: 'Null: made to the forum in general' }) consultationId: string | null;
}

/** The reps' view: where the consultation stands. No personal data. */
export class ConsultationStatusResponse {
  @ApiProperty({ type: ConsultationResponse }) consultation: ConsultationResponse;
  @ApiProperty({ description: 'The date days are counted at' }) asOf: string;
  @ApiProperty({ enum: ['planned', 'not_started', 'open', 'extended', 'period_ended', 'closed'] }) phase: Phase;
  @ApiProperty({ example: 'Day 12 of 45: 33 days left' }) phaseLabel: string;
  @ApiProperty({ nullable: true, type: Number, description: 'Day N (the start date is day 1)' }) day: number | null;
  @ApiProperty({ description: 'M: the planned length in days' }) totalDays: number;
  @ApiProperty({ nullable: true, type: Number }) daysLeft: number | null;
  @ApiProperty({ nullable: true, type: Number }) daysUntilStart: number | null;
  @ApiProperty({ type: [StatusMilestone] }) milestones: StatusMilestone[];
  @ApiProperty({ nullable: true, type: StatusMeeting }) nextMeeting: StatusMeeting | null;
  @ApiProperty({ type: [StatusAction] }) openActions: StatusAction[];
  @ApiProperty({ type: [StatusRepresentation] }) representationsAwaitingResponse: StatusRepresentation[];
  @ApiProperty({ type: AffectedSummary, description: 'Posts the consultation covers, and their FTE; counts under 5 shown as "<5"' }) affected: AffectedSummary;
}
