import { randomUUID } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import { DomainError, systemActor } from '@chuishao/domain';
import type { Directory } from '@chuishao/directory';
import type { CaseCommandHandler } from '@chuishao/commands';
import type { Clock } from '@chuishao/runtime';
import { DeadlineWatcher } from './deadline-watcher';

/** The watcher wired to the one command path: it checks a case as the system actor of its county. */
export function watchCases(
  handle: CaseCommandHandler,
  directory: Directory,
  readModels: DatabaseSync,
  clock: Clock,
  intervalMs: number,
  calendars?: { readonly current: { readonly officialYears: readonly string[] } },
): DeadlineWatcher {
  const commandCentreOf = (countyId: string) => {
    const cc = directory.list().find((o) => o.type === 'command_centre' && o.countyId === countyId);
    if (!cc) throw new Error(`county ${countyId} has no command centre in the directory: escalations have nowhere to go`);
    return cc.id;
  };
  const options = (name: string) => ({ correlationId: `${name}-${randomUUID()}` });
  return new DeadlineWatcher(
    readModels,
    () => clock.now(),
    async (caseId, countyId) => {
      const actor = systemActor(countyId, 'deadline-watcher');
      await handle(caseId, (now) => ({ type: 'CheckDeadlines', caseId, actor, now, data: { commandCentreId: commandCentreOf(countyId) } }), options('watcher'));
    },
    {
      intervalMs,
      rebase: calendars && {
        officialYears: () => calendars.current.officialYears,
        run: async (caseId, countyId) => {
          const actor = systemActor(countyId, 'calendar');
          await handle(caseId, (now) => ({ type: 'RebaseDeadlines', caseId, actor, now, data: {} }), options('rebase'));
        },
      },
      onError: (error, caseId) => {
        if (closedSinceListed(error)) return;
        console.error(`deadline check of case ${caseId} failed: ${error instanceof Error ? error.message : String(error)}`);
      },
    },
  );
}

/**
 * The inbox trails the store (after a restart it catches up from its checkpoint): a case it still lists as
 * due may have been closed or withdrawn since, and the domain then refuses the check. Nothing is wrong.
 */
export function closedSinceListed(error: unknown): boolean {
  return error instanceof DomainError && error.code === 'CASE.INVALID_STATE';
}
