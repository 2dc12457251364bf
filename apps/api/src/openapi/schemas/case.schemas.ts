import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CATEGORIES, PENDING_MOVES, SATISFACTIONS } from '@chuishao/domain';

/**
 * What the API answers with, as the document describes it. The bodies are built from TypeScript types (CaseView,
 * InboxPage, ...) that leave nothing at run time to read a schema from, so these classes restate them; the e2e
 * suite validates real responses against them, so a field added to a view without being added here fails a test.
 */

const ALERTS = ['none', 'reminded', 'overdue', 'escalated'] as const;
const TIME = { type: String, format: 'date-time' } as const;

export class ProblemFieldError {
  @ApiProperty({ description: 'The field (body path, query parameter or header) at fault', example: 'departmentIds[0]' }) field!: string;
  @ApiProperty({ example: 'dept-nowhere is not a department of this county' }) message!: string;
}

/** RFC 9457 problem details, as every error of the API is sent. */
export class Problem {
  @ApiProperty({ description: '`urn:chuishao:problem:<code>`', example: 'urn:chuishao:problem:REQUEST.INVALID' }) type!: string;
  @ApiProperty({ example: 'Bad request' }) title!: string;
  @ApiProperty({ type: 'integer', minimum: 400, maximum: 599, example: 400 }) status!: number;
  @ApiProperty({ example: 'title: title must be shorter than or equal to 120 characters' }) detail!: string;
  @ApiProperty({ description: 'Stable machine-readable code, e.g. REQUEST.INVALID, CASE.INVALID_STATE, AUTH.UNAUTHENTICATED', example: 'REQUEST.INVALID' })
  code!: string;
  @ApiProperty({ description: 'The request path', example: '/v1/whistles' }) instance!: string;
  @ApiPropertyOptional({ type: [ProblemFieldError], description: 'One entry per field at fault (400 only)' }) errors?: ProblemFieldError[];
}

export class OrgView {
  @ApiProperty({ example: 'dept-ecology' }) id!: string;
  @ApiProperty({ example: '市生态环境局青川分局' }) name!: string;
  @ApiProperty({ enum: ['township', 'department', 'command_centre', 'assessment_office'], example: 'department' }) type!: string;
  @ApiProperty({ example: 'county-qingchuan' }) countyId!: string;
}

export class TimeLimitView {
  @ApiProperty({ type: 'integer', minimum: 1, example: 2 }) amount!: number;
  @ApiProperty({ enum: ['minutes', 'hours', 'days'], example: 'hours' }) unit!: string;
  @ApiProperty({
    enum: ['natural', 'working'],
    description: 'working: on the county calendar (08:30–12:00, 13:30–17:30, holidays and 调休)',
    example: 'working',
  })
  clock!: string;
}

export class MatterLimitsView {
  @ApiProperty({ type: TimeLimitView, description: '报到: from assignment to report-in' }) response!: TimeLimitView;
  @ApiProperty({ type: TimeLimitView, description: '办结: from assignment (or rework) to completion' }) completion!: TimeLimitView;
  @ApiProperty({ type: 'integer', minimum: 0, description: '退回重办 rounds allowed after the first handling', example: 2 }) maxReworkRounds!: number;
}

export class DeadlineBasisView {
  @ApiProperty({ example: 'county/demo-2026.1/cn-national-2026.1' }) policyVersion!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'cn-national-2026.1',
    description: 'With +provisional-<year> for each provisional year the deadlines rest on',
  })
  calendarVersion!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'demo-2026.1' }) catalogVersion!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'EE-001' }) matterCode!: string | null;
  @ApiProperty({ type: TimeLimitView }) response!: TimeLimitView;
  @ApiProperty({ type: TimeLimitView }) completion!: TimeLimitView;
  @ApiProperty({
    description:
      'True when a day these deadlines were computed over came from a provisional calendar year (official arrangement not yet loaded): a later DeadlinesRebased event moves them',
    example: false,
  })
  provisional!: boolean;
  @ApiProperty({ type: [String], description: 'Those provisional years', example: [] }) provisionalYears!: string[];
  @ApiPropertyOptional({
    type: () => [ExtensionBasisView],
    description: '延期: the approved extensions of the current round’s completion deadline, in order (absent when none)',
  })
  extensions?: ExtensionBasisView[];
}

export class ExtensionBasisView {
  @ApiProperty({ type: 'integer', minimum: 1, example: 2 }) workingDays!: number;
  @ApiProperty({ ...TIME, description: 'The deadline it moved' }) previousDueAt!: string;
  @ApiProperty(TIME) approvedAt!: string;
}

export class LocationView {
  @ApiProperty({ example: '东坝镇河滨路12号' }) address!: string;
  @ApiPropertyOptional({ example: '东坝-03网格' }) grid?: string;
  @ApiPropertyOptional({ example: 32.58 }) lat?: number;
  @ApiPropertyOptional({ example: 105.22 }) lng?: number;
}

export class ReviewView {
  @ApiProperty({ type: 'integer', minimum: 1, example: 1 }) round!: number;
  @ApiProperty({ example: false }) resolved!: boolean;
  @ApiProperty({ enum: SATISFACTIONS, example: 'dissatisfied' }) satisfaction!: string;
  @ApiPropertyOptional({ example: '排污口仍在排放' }) comment?: string;
  @ApiProperty(TIME) reviewedAt!: string;
}

export class TransferView {
  @ApiProperty({
    enum: ['transfer', 'reassignment', 'return'],
    description: 'transfer: by the department (转办); reassignment: by the command centre (督办); return: a 退单 the command centre upheld',
  })
  kind!: string;
  @ApiProperty({ example: 'dept-water' }) fromDepartmentId!: string;
  @ApiProperty({ example: 'dept-enforcement' }) toDepartmentId!: string;
  @ApiProperty({ example: '城区管网错接，属执法局职责' }) reason!: string;
  @ApiProperty(TIME) at!: string;
}

export class PendingExtensionView {
  @ApiProperty({ type: 'integer', minimum: 1 }) round!: number;
  @ApiProperty({ example: '水样送省级实验室检测，需等待报告' }) reason!: string;
  @ApiProperty({ type: 'integer', minimum: 1, example: 3 }) workingDays!: number;
  @ApiProperty(TIME) requestedAt!: string;
}

export class PendingReturnView {
  @ApiProperty({ example: '职能不符' }) reason!: string;
  @ApiProperty({ type: String, nullable: true, example: 'dept-enforcement' }) suggestedDepartmentId!: string | null;
  @ApiProperty(TIME) returnedAt!: string;
  @ApiProperty({
    ...TIME,
    nullable: true,
    description: '提醒: when the command centre is reminded of the decision; null for returns recorded before it was kept',
  })
  decisionRemindAt!: string | null;
  @ApiProperty({ ...TIME, description: 'When the command centre’s decision (审定) is due' }) decisionDueAt!: string;
  @ApiProperty({ enum: ALERTS, description: 'How far the watcher has gone on the decision deadline' }) alert!: string;
}

export class OpenAppealView {
  @ApiProperty({ type: 'integer', minimum: 1, description: 'The round of the contested review' }) round!: number;
  @ApiProperty({ example: '评价时整改期限未到' }) reason!: string;
  @ApiProperty(TIME) appealedAt!: string;
}

export class DecidedAppealView {
  @ApiProperty({ type: 'integer', minimum: 1, description: 'The round of the contested review' }) round!: number;
  @ApiProperty({ description: 'true: that review is void for scoring from decidedAt' }) upheld!: boolean;
  @ApiProperty(TIME) decidedAt!: string;
}

export class PartView {
  @ApiProperty({ example: 'p1' }) partId!: string;
  @ApiProperty({ example: 'dept-ecology' }) departmentId!: string;
  @ApiProperty({ enum: ['awaiting_response', 'in_progress', 'completed', 'closed'] }) status!: string;
  @ApiProperty({ type: 'integer', minimum: 1, description: '1 for the first handling; each rework (退回重办) adds one' }) round!: number;
  @ApiProperty(TIME) assignedAt!: string;
  @ApiProperty({ ...TIME, description: '提醒: when the department is reminded to report in' }) responseRemindAt!: string;
  @ApiProperty(TIME) responseDueAt!: string;
  @ApiProperty({ ...TIME, nullable: true }) respondedAt!: string | null;
  @ApiProperty(TIME) completionRemindAt!: string;
  @ApiProperty(TIME) completionDueAt!: string;
  @ApiProperty({ ...TIME, nullable: true }) completedAt!: string | null;
  @ApiProperty({ type: DeadlineBasisView, description: 'The rules the current deadlines were computed with' }) deadlineBasis!: DeadlineBasisView;
  @ApiProperty({ type: String, nullable: true, example: '已取样送检，责令停止排放' }) result!: string | null;
  @ApiProperty({ type: ReviewView, nullable: true, description: 'The latest review (一事一评)' }) review!: ReviewView | null;
  @ApiProperty({ enum: ['resolved', 'unresolved'], nullable: true }) outcome!: string | null;
  @ApiProperty({ type: [TransferView] }) transfers!: TransferView[];
  @ApiProperty({ enum: ALERTS, description: 'How far the watcher has gone on the response clock: 提醒 → 催办 → 督办' }) responseAlert!: string;
  @ApiProperty({ enum: ALERTS }) completionAlert!: string;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Formal urges (督办) by the command centre' }) urges!: number;
  @ApiProperty({ description: '牵头: this is the lead department’s part' }) lead!: boolean;
  @ApiProperty({ type: 'integer', minimum: 0, description: '延期 approved on this department’s holding of the part' }) extensionsApproved!: number;
  @ApiProperty({ type: PendingExtensionView, nullable: true }) pendingExtension!: PendingExtensionView | null;
  @ApiProperty({ type: PendingReturnView, nullable: true, description: '退单 awaiting the command centre' }) pendingReturn!: PendingReturnView | null;
  @ApiProperty({ type: OpenAppealView, nullable: true, description: '申诉 awaiting the assessment office' }) openAppeal!: OpenAppealView | null;
  @ApiProperty({ type: [DecidedAppealView] }) appeals!: DecidedAppealView[];
}

export class CaseView {
  @ApiProperty({ format: 'uuid' }) caseId!: string;
  @ApiProperty({ example: 'twp-dongba' }) townshipId!: string;
  @ApiProperty({ example: 'county-qingchuan' }) countyId!: string;
  @ApiProperty({ example: '东坝河段不明排污口' }) title!: string;
  @ApiProperty({ example: '群众反映东坝河河滨路段有排污口夜间排放黑水，疑似周边作坊偷排。' }) description!: string;
  @ApiProperty({ enum: CATEGORIES, example: 'joint_enforcement' }) category!: string;
  @ApiProperty({ type: LocationView }) location!: LocationView;
  @ApiProperty({ type: String, nullable: true, example: 'EE-001' }) matterCode!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '12345-20260302-0017' }) sourceRef!: string | null;
  @ApiProperty({ enum: ['open', 'closed', 'withdrawn'] }) status!: string;
  @ApiProperty(TIME) raisedAt!: string;
  @ApiProperty({ ...TIME, nullable: true }) closedAt!: string | null;
  @ApiProperty({ example: 'county/demo-2026.1/cn-national-2026.1' }) policyVersion!: string;
  @ApiProperty({ type: MatterLimitsView, description: 'The limits of the whistle’s matter (or the category defaults), for every clock of the case' })
  limits!: MatterLimitsView;
  @ApiProperty({ example: 'p1', description: '牵头: the lead department’s part' }) leadPartId!: string;
  @ApiProperty({ enum: ['resolved', 'unresolved'], nullable: true, description: 'The outcome of the lead part (the township’s review of it)' }) outcome!:
    | string
    | null;
  @ApiProperty({
    enum: PENDING_MOVES,
    isArray: true,
    description: 'Moves some part awaits a decision on: extension (延期), return (退单), appeal (申诉); empty when none. GET /v1/cases?pending= filters by it',
  })
  pending!: string[];
  @ApiProperty({ type: [PartView], description: 'One part per department named' }) parts!: PartView[];
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Revision of the last event: the ETag, and what If-Match takes' }) version!: number;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Global position of the last event: pass as minPosition to GET /v1/cases' }) position!: number;
}

export class InboxPage {
  @ApiProperty({ type: [CaseView] }) items!: CaseView[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page; null on the last' }) nextCursor!: string | null;
}

export class MatterView {
  @ApiProperty({ example: 'EE-001' }) code!: string;
  @ApiProperty({ example: '河道排污（企业偷排漏排）' }) name!: string;
  @ApiProperty({ example: 'ecology_environment' }) area!: string;
  @ApiProperty({ enum: CATEGORIES, example: 'joint_enforcement' }) category!: string;
  @ApiProperty({ type: [String], example: ['dept-ecology', 'dept-water'] }) departmentIds!: string[];
  @ApiProperty({ type: TimeLimitView, description: '报到 limit' }) responseLimit!: TimeLimitView;
  @ApiProperty({ type: TimeLimitView, description: '办结 limit' }) completionLimit!: TimeLimitView;
  @ApiProperty({ type: 'integer', minimum: 0, example: 2 }) maxReworkRounds!: number;
}

export class CatalogView {
  @ApiProperty({ example: 'demo-2026.1' }) version!: string;
  @ApiProperty({ type: [MatterView] }) matters!: MatterView[];
}

export class DevToken {
  @ApiProperty({ description: 'A bearer token (JWT, 12 hours) for the org', example: 'eyJhbGciOiJIUzI1NiJ9…' }) token!: string;
}

export class ClockNow {
  @ApiProperty({ ...TIME, description: 'The server’s time after the move' }) now!: string;
}
