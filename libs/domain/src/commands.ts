import type { Actor } from './actor';
import type { Category, Location, Satisfaction } from './events';
import type { AddNote, UploadFacts } from './notes';

/** Every command knows who issues it and when (the server's clock, never the client's). */
interface CommandBase<T extends string, D> {
  type: T;
  caseId: string;
  actor: Actor;
  now: string;
  data: D;
}

/**
 * What the org directory says, looked up by whoever sends the command (decide does no I/O): the ids of the
 * departments of the actor's county. Rules about named departments are decided on these, once, in decide.
 */
export interface DirectoryFacts {
  countyDepartments: readonly string[];
}

/** A command that names departments carries the directory facts its rules need. */
type WithFacts = { facts: DirectoryFacts };

export type BlowWhistle = WithFacts &
  CommandBase<
    'BlowWhistle',
    {
      title: string;
      description: string;
      category: Category;
      departmentIds: string[];
      location: Location;
      matterCode?: string;
      sourceRef?: string;
      /** 牵头: one of departmentIds; default the first. */
      leadDepartmentId?: string;
    }
  >;
export type RespondToCase = CommandBase<'RespondToCase', { note?: string }>;
export type TransferCase = WithFacts & CommandBase<'TransferCase', { toDepartmentId: string; reason: string }>;
/**
 * A command that may file evidence: `attachmentIds` names the files, `uploads` is what the blob store knows of them
 * (see notes.ts, filedEvidence: one rule for every such command).
 */
type WithEvidence<T extends string, D> = Partial<UploadFacts> & CommandBase<T, D & { attachmentIds?: string[] }>;

export type CompleteHandling = WithEvidence<'CompleteHandling', { result: string }>;
export type ReviewHandling = CommandBase<
  'ReviewHandling',
  {
    departmentId: string;
    resolved: boolean;
    satisfaction: Satisfaction;
    comment?: string;
  }
>;
export type WithdrawCase = CommandBase<'WithdrawCase', { reason: string }>;

/** 督办: the command centre moves a part to another department. */
export type ReassignPart = WithFacts & CommandBase<'ReassignPart', { fromDepartmentId: string; toDepartmentId: string; reason: string }>;
/** 督办: the command centre urges the department holding a part. */
export type UrgeDepartment = CommandBase<'UrgeDepartment', { departmentId: string; note: string }>;
/** The deadline watcher asks: has any clock of this case run out (or reached its reminder) by now? */
export type CheckDeadlines = CommandBase<'CheckDeadlines', { commandCentreId: string }>;

/** The calendar changed: recompute the running clocks of parts whose deadlines rest on a provisional year. */
export type RebaseDeadlines = CommandBase<'RebaseDeadlines', Record<string, never>>;

// ── The practice's moves: 延期, 退单/审定, 申诉 ──

/** 延期: the department holding a reported-in part asks for more working days. */
export type RequestExtension = WithEvidence<'RequestExtension', { reason: string; workingDays: number }>;
/** The command centre approves (possibly fewer days) or refuses a pending extension. */
export type DecideExtension = CommandBase<'DecideExtension', { departmentId: string; approved: boolean; workingDays?: number; note?: string }>;
/** 退单: the department holding a part it has not completed returns it to the command centre. */
export type ReturnPart = WithFacts & WithEvidence<'ReturnPart', { reason: string; suggestedDepartmentId?: string }>;
/** 审定: the command centre upholds a return (reassigning to toDepartmentId) or rejects it. */
export type DecideReturn = WithFacts & CommandBase<'DecideReturn', { departmentId: string; upheld: boolean; toDepartmentId?: string; note?: string }>;
/** 申诉: the department appeals the latest review of its part. */
export type AppealReview = WithEvidence<'AppealReview', { departmentId?: string; reason: string }>;
/** The assessment office decides an open appeal. */
export type DecideAppeal = CommandBase<'DecideAppeal', { departmentId: string; upheld: boolean; note: string }>;

export type WorkflowCommand = RequestExtension | DecideExtension | ReturnPart | DecideReturn | AppealReview | DecideAppeal;

export type CaseCommand =
  | BlowWhistle
  | RespondToCase
  | TransferCase
  | CompleteHandling
  | ReviewHandling
  | WithdrawCase
  | ReassignPart
  | UrgeDepartment
  | CheckDeadlines
  | RebaseDeadlines
  | WorkflowCommand
  // Notes and evidence (notes.ts)
  | AddNote;
