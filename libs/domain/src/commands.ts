import type { Actor } from './actor';
import type { Category, Location, Satisfaction } from './events';

/** Every command knows who issues it and when (the server's clock, never the client's). */
interface CommandBase<T extends string, D> {
  type: T;
  caseId: string;
  actor: Actor;
  now: string;
  data: D;
}

export type BlowWhistle = CommandBase<'BlowWhistle', {
  title: string;
  description: string;
  category: Category;
  departmentIds: string[];
  location: Location;
  matterCode?: string;
  sourceRef?: string;
}>;
export type RespondToCase = CommandBase<'RespondToCase', { note?: string }>;
export type TransferCase = CommandBase<'TransferCase', { toDepartmentId: string; reason: string }>;
export type CompleteHandling = CommandBase<'CompleteHandling', { result: string }>;
export type ReviewHandling = CommandBase<'ReviewHandling', {
  departmentId: string;
  resolved: boolean;
  satisfaction: Satisfaction;
  comment?: string;
}>;
export type WithdrawCase = CommandBase<'WithdrawCase', { reason: string }>;

export type CaseCommand = BlowWhistle | RespondToCase | TransferCase | CompleteHandling | ReviewHandling | WithdrawCase;
