import type { Response } from 'express';
import type { CaseView } from '@chuishao/domain';
import type { CommandOutcome } from '@chuishao/commands';

/** Case responses carry their version as an ETag (If-Match on the next command). */
export function sendCase(res: Response, outcome: CommandOutcome | { view: CaseView; replayed?: boolean }): CaseView {
  res.setHeader('ETag', `"${outcome.view.version}"`);
  if (outcome.replayed) res.setHeader('Idempotent-Replayed', 'true');
  return outcome.view;
}
