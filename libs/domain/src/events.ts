/**
 * The case's events: the facts the system of record keeps. Every event carries `caseId` and the
 * server-stamped `occurredAt` (ISO-8601 UTC) in its data; who did it lives in the metadata.
 */
import type { DeadlineBasis, MatterLimits } from './policy';
import type { AttachmentRef, NoteAdded } from './notes';

export const CATEGORIES = ['joint_enforcement', 'key_task', 'emergency', 'resident_request'] as const;
export type Category = (typeof CATEGORIES)[number];

export const SATISFACTIONS = ['satisfied', 'basically_satisfied', 'dissatisfied'] as const;
export type Satisfaction = (typeof SATISFACTIONS)[number];

export interface Location {
  address: string;
  grid?: string;
  lat?: number;
  lng?: number;
}

/** The clocks one department's share of a case runs on, and the rules that set them. */
export interface PartAssignment {
  partId: string;
  departmentId: string;
  assignedAt: string;
  responseRemindAt: string;
  responseDueAt: string;
  completionRemindAt: string;
  completionDueAt: string;
  basis: DeadlineBasis;
}

interface CaseEventBase<T extends string, D> {
  type: T;
  data: D & { caseId: string; occurredAt: string };
}

export type WhistleBlown = CaseEventBase<
  'WhistleBlown',
  {
    townshipId: string;
    countyId: string;
    title: string;
    description: string;
    category: Category;
    location: Location;
    matterCode?: string;
    sourceRef?: string;
    /** 牵头: the department that leads (one of the parts'); recorded since leads exist, decode fills older events with the first. */
    leadDepartmentId?: string;
    policyVersion: string;
    /** The limits of this whistle's matter (or the category defaults), for every later clock of the case. */
    limits: MatterLimits;
    parts: PartAssignment[];
  }
>;

/** 报到: the department acknowledged its part; its response clock stops here. */
export type DepartmentResponded = CaseEventBase<
  'DepartmentResponded',
  {
    partId: string;
    departmentId: string;
    note?: string;
  }
>;

/** 转办: the part moves to another department, whose clocks start anew. */
export type CaseTransferred = CaseEventBase<
  'CaseTransferred',
  {
    partId: string;
    fromDepartmentId: string;
    toDepartmentId: string;
    reason: string;
    assignment: PartAssignment;
  }
>;

/** 办结: the department reports the matter handled for this round. */
export type HandlingCompleted = CaseEventBase<
  'HandlingCompleted',
  {
    partId: string;
    departmentId: string;
    round: number;
    result: string;
    /** The evidence filed with the completion (present only when there is some). */
    attachments?: AttachmentRef[];
  }
>;

/** 一事一评: the township's review of one completed round of one part. */
export type ReviewCompleted = CaseEventBase<
  'ReviewCompleted',
  {
    partId: string;
    departmentId: string;
    round: number;
    resolved: boolean;
    satisfaction: Satisfaction;
    comment?: string;
  }
>;

/** 退回重办: an unresolved review sends the part back with a new completion deadline. */
export type CaseReopened = CaseEventBase<
  'CaseReopened',
  {
    partId: string;
    departmentId: string;
    round: number;
    completionRemindAt: string;
    completionDueAt: string;
    basis: DeadlineBasis;
  }
>;

export type PartOutcome = 'resolved' | 'unresolved';

/** A part is done: resolved, or unresolved after its last allowed rework round. */
export type PartClosed = CaseEventBase<
  'PartClosed',
  {
    partId: string;
    departmentId: string;
    outcome: PartOutcome;
  }
>;

/** The command centre moves a part to another department (督办 reassignment); its clocks start anew. */
export type PartReassigned = CaseEventBase<
  'PartReassigned',
  {
    partId: string;
    fromDepartmentId: string;
    toDepartmentId: string;
    reason: string;
    assignment: PartAssignment;
  }
>;

export type DeadlineKind = 'response' | 'completion';
/** What an escalation (督办) is about: a department's clock, or the command centre's own decision on a return (退单审定). */
export type EscalatedDeadline = DeadlineKind | 'return_decision';

/**
 * 提醒: the deadline watcher reminds the holding department when 80% of a limit has passed; for `return_decision`,
 * the command centre that its decision on the part's return (退单审定) is coming due.
 */
export type DeadlineReminderSent = CaseEventBase<
  'DeadlineReminderSent',
  {
    partId: string;
    departmentId: string;
    deadline: EscalatedDeadline;
    round: number;
    dueAt: string;
  }
>;

/** 催办: the report-in deadline passed without a report-in. */
export type ResponseOverdue = CaseEventBase<'ResponseOverdue', { partId: string; departmentId: string; round: number; dueAt: string }>;

/** 催办: the completion deadline of a round passed without a completion. */
export type CompletionOverdue = CaseEventBase<'CompletionOverdue', { partId: string; departmentId: string; round: number; dueAt: string }>;

/** 督办: an overdue part is escalated to the county command centre. */
export type CaseEscalated = CaseEventBase<
  'CaseEscalated',
  {
    partId: string;
    departmentId: string;
    deadline: EscalatedDeadline;
    round: number;
    commandCentreId: string;
  }
>;

/** The command centre's formal urge (督办) to the department holding a part. */
export type DepartmentUrged = CaseEventBase<'DepartmentUrged', { partId: string; departmentId: string; note: string }>;

/** One part's clocks as a re-basing moved them: only the clocks still running move. */
export interface RebasedClock {
  previousDueAt: string;
  remindAt: string;
  dueAt: string;
}

export interface RebasedPart {
  partId: string;
  departmentId: string;
  round: number;
  /** Present while the part awaits its report-in. */
  response?: RebasedClock;
  /** The current round's completion clock. */
  completion: RebasedClock;
  /** The basis of the new deadlines: the calendar version they now rest on, provisional or not. */
  basis: DeadlineBasis;
}

/**
 * The calendar a part's deadlines rested on changed (a provisional year replaced by its official
 * arrangement): its running clocks are recomputed from their start instants, once per case and
 * calendar version. Closed and completed parts are not rewritten.
 */
export type DeadlinesRebased = CaseEventBase<'DeadlinesRebased', { parts: RebasedPart[] }>;

export type CaseWithdrawn = CaseEventBase<'CaseWithdrawn', { townshipId: string; reason: string }>;

/** Every part is closed. */
export type CaseClosed = CaseEventBase<'CaseClosed', { resolvedParts: number; unresolvedParts: number }>;

// ── The practice's moves: 延期 extensions, 退单 returns with 审定 arbitration, 申诉 appeals ──

/** 延期: the department holding a reported-in part asks the command centre for more working days on this round. */
export type ExtensionRequested = CaseEventBase<
  'ExtensionRequested',
  {
    partId: string;
    departmentId: string;
    round: number;
    reason: string;
    workingDays: number;
    /** The assessment-policy version whose limit decided this move (absent on moves recorded before it was kept). */
    policyVersion?: string;
    /** Evidence filed with the request, e.g. the lab's receipt (present only when there is some). */
    attachments?: AttachmentRef[];
  }
>;

/**
 * The command centre's decision on a pending extension. Approved: the round's completion deadline moves by
 * `workingDays` (possibly fewer than asked) on the working calendar from the deadline in force, and the new
 * clock and its basis (recording the extension) are here.
 */
export type ExtensionDecided = CaseEventBase<
  'ExtensionDecided',
  {
    partId: string;
    departmentId: string;
    round: number;
    approved: boolean;
    /** Working days granted (0 when refused). */
    workingDays: number;
    note?: string;
    /** Approved only: the deadline before and the new clock. */
    previousDueAt?: string;
    completionRemindAt?: string;
    completionDueAt?: string;
    basis?: DeadlineBasis;
    /** Approved only: the assessment-policy version whose maxExtensions allowed it (absent on older approvals). */
    policyVersion?: string;
  }
>;

/** 退单: the department says the part is not its responsibility; its clocks keep running while the centre decides by `decisionDueAt`. */
export type PartReturned = CaseEventBase<
  'PartReturned',
  {
    partId: string;
    departmentId: string;
    reason: string;
    suggestedDepartmentId?: string;
    decisionDueAt: string;
    /** 提醒 for the decision, by the policy's reminder share of its limit; absent on returns recorded before it was kept. */
    decisionRemindAt?: string;
    /** The assessment-policy version whose returnDecision limit set decisionDueAt (absent on older returns). */
    policyVersion?: string;
    /** Evidence filed with the return, e.g. a photo of the site (present only when there is some). */
    attachments?: AttachmentRef[];
  }
>;

/**
 * 审定: the command centre's decision on a return. Upheld: the part was misrouted and moves to `toDepartmentId`,
 * whose clocks start at the decision (`assignment`). Rejected: it stays with the returning department, clocks running.
 */
export type ReturnDecided = CaseEventBase<
  'ReturnDecided',
  {
    partId: string;
    departmentId: string;
    upheld: boolean;
    note?: string;
    toDepartmentId?: string;
    assignment?: PartAssignment;
  }
>;

/** 申诉: the department contests the latest review of its part (round `round`), within the appeal window. */
export type ReviewAppealed = CaseEventBase<
  'ReviewAppealed',
  {
    partId: string;
    departmentId: string;
    round: number;
    reason: string;
    /** The assessment-policy version whose appealWindow admitted it (absent on older appeals). */
    policyVersion?: string;
    /** Evidence filed with the appeal (present only when there is some). */
    attachments?: AttachmentRef[];
  }
>;

/** The assessment office's decision on an appeal. Upheld: the appealed review is void for scoring from this instant. */
export type AppealDecided = CaseEventBase<
  'AppealDecided',
  {
    partId: string;
    departmentId: string;
    round: number;
    upheld: boolean;
    note: string;
  }
>;

export type CaseEvent =
  | WhistleBlown
  | DepartmentResponded
  | CaseTransferred
  | HandlingCompleted
  | ReviewCompleted
  | CaseReopened
  | PartClosed
  | PartReassigned
  | DeadlineReminderSent
  | ResponseOverdue
  | CompletionOverdue
  | CaseEscalated
  | DepartmentUrged
  | DeadlinesRebased
  | CaseWithdrawn
  | CaseClosed
  | ExtensionRequested
  | ExtensionDecided
  | PartReturned
  | ReturnDecided
  | ReviewAppealed
  | AppealDecided
  // Notes and evidence (notes.ts)
  | NoteAdded;

export type CaseEventType = CaseEvent['type'];

export const CASE_EVENT_TYPES: readonly CaseEventType[] = [
  'WhistleBlown',
  'DepartmentResponded',
  'CaseTransferred',
  'HandlingCompleted',
  'ReviewCompleted',
  'CaseReopened',
  'PartClosed',
  'PartReassigned',
  'DeadlineReminderSent',
  'ResponseOverdue',
  'CompletionOverdue',
  'CaseEscalated',
  'DepartmentUrged',
  'DeadlinesRebased',
  'CaseWithdrawn',
  'CaseClosed',
  'ExtensionRequested',
  'ExtensionDecided',
  'PartReturned',
  'ReturnDecided',
  'ReviewAppealed',
  'AppealDecided',
  // Notes and evidence (notes.ts)
  'NoteAdded',
];

/** Version of the event data schemas above; bump on any incompatible change. */
export const CASE_EVENT_SCHEMA_VERSION = 1;
