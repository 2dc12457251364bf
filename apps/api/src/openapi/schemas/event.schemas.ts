import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ATTACHMENT_TYPES, CATEGORIES, SATISFACTIONS, type CaseEventType } from '@chuishao/domain';
import { DeadlineBasisView, LocationView, MatterLimitsView } from './case.schemas';

/** The event data of libs/domain/src/events.ts, one class per event type, for GET /v1/cases/{caseId}/events. */

const TIME = { type: String, format: 'date-time' } as const;
const ROUND = { type: 'integer', minimum: 1 } as const;

class EventDataBase {
  @ApiProperty({ format: 'uuid' }) caseId!: string;
  @ApiProperty({ ...TIME, description: 'Server time of the fact' }) occurredAt!: string;
}

class PartEventData extends EventDataBase {
  @ApiProperty({ example: 'p1' }) partId!: string;
  @ApiProperty({ example: 'dept-ecology' }) departmentId!: string;
}

export class PartAssignmentData {
  @ApiProperty({ example: 'p1' }) partId!: string;
  @ApiProperty({ example: 'dept-ecology' }) departmentId!: string;
  @ApiProperty(TIME) assignedAt!: string;
  @ApiProperty(TIME) responseRemindAt!: string;
  @ApiProperty(TIME) responseDueAt!: string;
  @ApiProperty(TIME) completionRemindAt!: string;
  @ApiProperty(TIME) completionDueAt!: string;
  @ApiProperty({ type: DeadlineBasisView }) basis!: DeadlineBasisView;
}

export class WhistleBlownData extends EventDataBase {
  @ApiProperty({ example: 'twp-dongba' }) townshipId!: string;
  @ApiProperty({ example: 'county-qingchuan' }) countyId!: string;
  @ApiProperty({ example: '东坝河段不明排污口' }) title!: string;
  @ApiProperty({ example: '群众反映东坝河河滨路段有排污口夜间排放黑水，疑似周边作坊偷排。' }) description!: string;
  @ApiProperty({ enum: CATEGORIES }) category!: string;
  @ApiProperty({ type: LocationView }) location!: LocationView;
  @ApiPropertyOptional({ example: 'EE-001' }) matterCode?: string;
  @ApiPropertyOptional({ example: '12345-20260302-0017' }) sourceRef?: string;
  @ApiPropertyOptional({
    example: 'dept-ecology',
    description: '牵头: the lead department, one of the parts’ (absent in whistles recorded before leads: the first part leads)',
  })
  leadDepartmentId?: string;
  @ApiProperty({ example: 'county/demo-2026.1/cn-national-2026.1' }) policyVersion!: string;
  @ApiProperty({ type: MatterLimitsView }) limits!: MatterLimitsView;
  @ApiProperty({ type: [PartAssignmentData] }) parts!: PartAssignmentData[];
}

export class DepartmentRespondedData extends PartEventData {
  @ApiPropertyOptional({ example: '已报到，今日到现场' }) note?: string;
}

class MoveData extends EventDataBase {
  @ApiProperty({ example: 'p2' }) partId!: string;
  @ApiProperty({ example: 'dept-water' }) fromDepartmentId!: string;
  @ApiProperty({ example: 'dept-enforcement' }) toDepartmentId!: string;
  @ApiProperty({ example: '城区管网错接，属执法局职责' }) reason!: string;
  @ApiProperty({ type: PartAssignmentData, description: 'The new department’s clocks' }) assignment!: PartAssignmentData;
}
export class CaseTransferredData extends MoveData {}
export class PartReassignedData extends MoveData {}

class UploaderView {
  @ApiProperty({ example: 'dept-ecology' }) orgId!: string;
  @ApiProperty({ example: 'li.qiang' }) userId!: string;
}

/** A file an event refers to: its content (hash, size, checked type), its name, and who uploaded it when. */
export class AttachmentRefData {
  @ApiProperty({ format: 'uuid', description: 'GET /v1/attachments/{id}' }) id!: string;
  @ApiProperty({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the bytes' }) sha256!: string;
  @ApiProperty({ type: 'integer', minimum: 1 }) size!: number;
  @ApiProperty({ enum: ATTACHMENT_TYPES, description: 'Checked by the file’s magic bytes' }) type!: string;
  @ApiProperty({ example: '排污口封堵后.jpg' }) fileName!: string;
  @ApiProperty({ type: UploaderView }) uploadedBy!: UploaderView;
  @ApiProperty(TIME) uploadedAt!: string;
}

export class HandlingCompletedData extends PartEventData {
  @ApiProperty(ROUND) round!: number;
  @ApiProperty({ example: '已取样送检，责令停止排放' }) result!: string;
  @ApiPropertyOptional({ type: [AttachmentRefData], description: 'Evidence filed with the completion (absent when none)' }) attachments?: AttachmentRefData[];
}

export class ReviewCompletedData extends PartEventData {
  @ApiProperty(ROUND) round!: number;
  @ApiProperty() resolved!: boolean;
  @ApiProperty({ enum: SATISFACTIONS }) satisfaction!: string;
  @ApiPropertyOptional({ example: '排污口仍在排放' }) comment?: string;
}

export class CaseReopenedData extends PartEventData {
  @ApiProperty({ ...ROUND, description: 'The new round' }) round!: number;
  @ApiProperty(TIME) completionRemindAt!: string;
  @ApiProperty(TIME) completionDueAt!: string;
  @ApiProperty({ type: DeadlineBasisView }) basis!: DeadlineBasisView;
}

export class PartClosedData extends PartEventData {
  @ApiProperty({ enum: ['resolved', 'unresolved'] }) outcome!: string;
}

export class DeadlineReminderSentData extends PartEventData {
  @ApiProperty({
    enum: ['response', 'completion', 'return_decision'],
    description: 'return_decision: the command centre is reminded that its decision on a return (退单审定) is coming due',
  })
  deadline!: string;
  @ApiProperty(ROUND) round!: number;
  @ApiProperty(TIME) dueAt!: string;
}

class OverdueData extends PartEventData {
  @ApiProperty(ROUND) round!: number;
  @ApiProperty(TIME) dueAt!: string;
}
export class ResponseOverdueData extends OverdueData {}
export class CompletionOverdueData extends OverdueData {}

export class CaseEscalatedData extends PartEventData {
  @ApiProperty({
    enum: ['response', 'completion', 'return_decision'],
    description: 'return_decision: the command centre’s decision on a return (退单审定) is overdue',
  })
  deadline!: string;
  @ApiProperty(ROUND) round!: number;
  @ApiProperty({ example: 'cc-qingchuan' }) commandCentreId!: string;
}

export class DepartmentUrgedData extends PartEventData {
  @ApiProperty({ example: '请立即报到' }) note!: string;
}

class RebasedClockData {
  @ApiProperty(TIME) previousDueAt!: string;
  @ApiProperty(TIME) remindAt!: string;
  @ApiProperty(TIME) dueAt!: string;
}

class RebasedPartData {
  @ApiProperty({ example: 'p1' }) partId!: string;
  @ApiProperty({ example: 'dept-ecology' }) departmentId!: string;
  @ApiProperty(ROUND) round!: number;
  @ApiPropertyOptional({ type: RebasedClockData, description: 'Present while the part awaited its report-in' }) response?: RebasedClockData;
  @ApiProperty({ type: RebasedClockData }) completion!: RebasedClockData;
  @ApiProperty({ type: DeadlineBasisView }) basis!: DeadlineBasisView;
}

export class DeadlinesRebasedData extends EventDataBase {
  @ApiProperty({ type: [RebasedPartData], description: 'The parts whose running clocks were recomputed under the calendar now in force' })
  parts!: RebasedPartData[];
}

export class CaseWithdrawnData extends EventDataBase {
  @ApiProperty({ example: 'twp-dongba' }) townshipId!: string;
  @ApiProperty({ example: '群众已自行协商解决' }) reason!: string;
}

export class CaseClosedData extends EventDataBase {
  @ApiProperty({ type: 'integer', minimum: 0 }) resolvedParts!: number;
  @ApiProperty({ type: 'integer', minimum: 0 }) unresolvedParts!: number;
}

// ── 延期, 退单/审定, 申诉 ──

export class ExtensionRequestedData extends PartEventData {
  @ApiProperty(ROUND) round!: number;
  @ApiProperty({ example: '水样送省级实验室检测，需等待报告' }) reason!: string;
  @ApiProperty({ type: 'integer', minimum: 1, example: 3 }) workingDays!: number;
  @ApiPropertyOptional({
    example: 'scoring-2026.1',
    description: 'The assessment-policy version whose maxExtensions allowed the request (absent on older events)',
  })
  policyVersion?: string;
  @ApiPropertyOptional({ type: [AttachmentRefData], description: 'Evidence filed with the request (absent when none)' }) attachments?: AttachmentRefData[];
}

export class ExtensionDecidedData extends PartEventData {
  @ApiProperty(ROUND) round!: number;
  @ApiProperty() approved!: boolean;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Working days granted (0 when refused)' }) workingDays!: number;
  @ApiPropertyOptional({ example: '同意延期2个工作日' }) note?: string;
  @ApiPropertyOptional({ ...TIME, description: 'Approved: the deadline it replaced' }) previousDueAt?: string;
  @ApiPropertyOptional({ ...TIME, description: 'Approved: the new reminder' }) completionRemindAt?: string;
  @ApiPropertyOptional({ ...TIME, description: 'Approved: the new completion deadline' }) completionDueAt?: string;
  @ApiPropertyOptional({ type: DeadlineBasisView, description: 'Approved: the basis, recording the extension' }) basis?: DeadlineBasisView;
  @ApiPropertyOptional({
    example: 'scoring-2026.1',
    description: 'Approved: the assessment-policy version whose maxExtensions allowed it (absent on older events)',
  })
  policyVersion?: string;
}

export class PartReturnedData extends PartEventData {
  @ApiProperty({ example: '职能不符：该河段排污口属城区管网，归执法局' }) reason!: string;
  @ApiPropertyOptional({ example: 'dept-enforcement' }) suggestedDepartmentId?: string;
  @ApiProperty({ ...TIME, description: 'When the command centre’s decision is due' }) decisionDueAt!: string;
  @ApiPropertyOptional({
    ...TIME,
    description: '提醒 of the decision (the policy’s reminder share of its limit); absent on returns recorded before it was kept',
  })
  decisionRemindAt?: string;
  @ApiPropertyOptional({
    example: 'scoring-2026.1',
    description: 'The assessment-policy version whose returnDecision limit set decisionDueAt (absent on older events)',
  })
  policyVersion?: string;
  @ApiPropertyOptional({ type: [AttachmentRefData], description: 'Evidence filed with the return (absent when none)' }) attachments?: AttachmentRefData[];
}

export class ReturnDecidedData extends PartEventData {
  @ApiProperty() upheld!: boolean;
  @ApiPropertyOptional({ example: '属实，改派执法局' }) note?: string;
  @ApiPropertyOptional({ example: 'dept-enforcement', description: 'Upheld: the department the part goes to' }) toDepartmentId?: string;
  @ApiPropertyOptional({ type: PartAssignmentData, description: 'Upheld: the new department’s clocks, from the decision' }) assignment?: PartAssignmentData;
}

export class ReviewAppealedData extends PartEventData {
  @ApiProperty({ ...ROUND, description: 'The round of the contested review' }) round!: number;
  @ApiProperty({ example: '评价时尚未到整改期限' }) reason!: string;
  @ApiPropertyOptional({
    example: 'scoring-2026.1',
    description: 'The assessment-policy version whose appealWindow admitted the appeal (absent on older events)',
  })
  policyVersion?: string;
  @ApiPropertyOptional({ type: [AttachmentRefData], description: 'Evidence filed with the appeal (absent when none)' }) attachments?: AttachmentRefData[];
}

export class AppealDecidedData extends PartEventData {
  @ApiProperty({ ...ROUND, description: 'The round of the contested review' }) round!: number;
  @ApiProperty() upheld!: boolean;
  @ApiProperty({ example: '申诉成立，该评价不计入考核' }) note!: string;
}

export class NoteAddedData extends EventDataBase {
  @ApiProperty({ example: 'twp-dongba' }) authorOrgId!: string;
  @ApiProperty({ enum: ['township', 'department', 'command_centre'] }) authorRole!: string;
  @ApiProperty({ example: '已与河长办沟通，明日联合巡查' }) text!: string;
  @ApiProperty({ type: [AttachmentRefData], description: 'Files filed with the note (may be empty)' }) attachments!: AttachmentRefData[];
}

/** Every event type with its data: a new type in libs/domain fails the typecheck here until it is documented. */
export const EVENT_DATA: Record<CaseEventType, new () => object> = {
  WhistleBlown: WhistleBlownData,
  DepartmentResponded: DepartmentRespondedData,
  CaseTransferred: CaseTransferredData,
  HandlingCompleted: HandlingCompletedData,
  ReviewCompleted: ReviewCompletedData,
  CaseReopened: CaseReopenedData,
  PartClosed: PartClosedData,
  PartReassigned: PartReassignedData,
  DeadlineReminderSent: DeadlineReminderSentData,
  ResponseOverdue: ResponseOverdueData,
  CompletionOverdue: CompletionOverdueData,
  CaseEscalated: CaseEscalatedData,
  DepartmentUrged: DepartmentUrgedData,
  DeadlinesRebased: DeadlinesRebasedData,
  CaseWithdrawn: CaseWithdrawnData,
  CaseClosed: CaseClosedData,
  ExtensionRequested: ExtensionRequestedData,
  ExtensionDecided: ExtensionDecidedData,
  PartReturned: PartReturnedData,
  ReturnDecided: ReturnDecidedData,
  ReviewAppealed: ReviewAppealedData,
  AppealDecided: AppealDecidedData,
  NoteAdded: NoteAddedData,
};

export class EventActor {
  @ApiProperty({ example: 'twp-dongba' }) orgId!: string;
  @ApiProperty({ enum: ['township', 'department', 'command_centre', 'assessment_office', 'system'], example: 'township' }) role!: string;
  @ApiProperty({ example: 'wang.fang' }) userId!: string;
}

class RecordedCaseEvent {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Position in the case stream (0: the whistle)' }) revision!: number;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Position in the whole store' }) position!: number;
  @ApiProperty(TIME) occurredAt!: string;
  @ApiProperty({ ...TIME, description: 'When the store recorded it' }) recordedAt!: string;
  @ApiProperty({ type: EventActor, description: 'Who did it (全程留痕)' }) actor!: EventActor;
  @ApiProperty({ description: 'Ties together everything one user action caused (X-Correlation-Id)' }) correlationId!: string;
  @ApiProperty({ description: 'The request (or event) that directly caused this one' }) causationId!: string;
}

/** One schema per event type (`<Type>Event`: the type's name and its data), so a client can switch on `type`. */
export const EVENT_RECORDS: (new () => object)[] = Object.entries(EVENT_DATA).map(([type, data]) => {
  const Record = class extends RecordedCaseEvent {};
  Object.defineProperty(Record, 'name', { value: `${type}Event` });
  ApiProperty({ enum: [type], example: type })(Record.prototype, 'type');
  ApiProperty({ type: data })(Record.prototype, 'data');
  return Record;
});
