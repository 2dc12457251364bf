import fc from 'fast-check';
import { SATISFACTIONS, type PartStatus, type Satisfaction } from '@chuishao/domain';
import { actor, COUNTY, Script, T0 } from './script';

export const DEPTS = ['dept-a', 'dept-b', 'dept-c', 'dept-d'];
const KINDS = ['blow', 'blow', 'respond', 'respond', 'respond', 'transfer', 'complete', 'complete', 'complete', 'review', 'review', 'review', 'withdraw', 'reassign', 'check', 'urge', 'rebase'] as const;

export interface Action {
  advance: number;
  kind: (typeof KINDS)[number];
  a: number;
  b: number;
  c: number;
  resolved: boolean;
  satisfaction: Satisfaction;
  lagMs: number;
}

export const actionArb: fc.Arbitrary<Action> = fc.record({
  // Minutes: within a response window (120), across it, and across completion windows (4320).
  advance: fc.oneof(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 30, max: 600 }), fc.integer({ min: 600, max: 6000 })),
  kind: fc.constantFrom(...KINDS),
  a: fc.nat(),
  b: fc.nat(),
  c: fc.nat(),
  resolved: fc.boolean(),
  satisfaction: fc.constantFrom(...SATISFACTIONS),
  // The store records an event at, after, or (clock skew) slightly before it occurred.
  lagMs: fc.oneof(fc.constant(0), fc.integer({ min: -120_000, max: 3_600_000 })),
});

/** Histories of every length up to maxLength (fast-check otherwise favours short arrays). */
export const actionsArb = (maxLength: number) => fc.array(actionArb, { minLength: 1, maxLength, size: 'max' });

/** Random interleavings of the lifecycle, every command through decide(); refused commands are skipped. */
export function historyOf(actions: readonly Action[]): Script {
  const s = new Script();
  let now = T0;
  let cases = 0;
  for (const x of actions) {
    now += x.advance * 60_000;
    if (x.kind === 'blow') {
      const mask = (x.a % 15) + 1;
      const departmentIds = DEPTS.filter((_, i) => mask & (1 << i));
      s.tryRunAt(`c${++cases}`, now, 'BlowWhistle', actor(x.b % 3 === 0 ? 'twp-b' : 'twp-a', 'township'), {
        title: '随机', description: '随机事项', category: x.c % 4 === 0 ? 'emergency' : 'joint_enforcement', departmentIds, location: { address: '某地' },
      }, x.lagMs);
      continue;
    }
    // Aim each action at a part in a state where it applies, so histories get far (the domain still decides).
    const wanted: Partial<Record<Action['kind'], PartStatus[]>> = {
      respond: ['awaiting_response'], transfer: ['awaiting_response', 'in_progress'], complete: ['in_progress'],
      review: ['completed'], reassign: ['awaiting_response', 'in_progress'], urge: ['awaiting_response', 'in_progress'],
      rebase: ['awaiting_response', 'in_progress'],
    };
    const open = s.caseIds().map((id) => s.state(id)!).filter((c) => c.status === 'open');
    const statuses = wanted[x.kind];
    const candidates = open.flatMap((c) => c.parts.filter((p) => !statuses || statuses.includes(p.status)).map((p) => ({ c, p })));
    if (candidates.length === 0) continue;
    const { c: state, p: part } = candidates[x.a % candidates.length];
    const caseId = state.caseId;
    const dept = part.departmentId;
    const other = DEPTS[x.c % DEPTS.length];
    switch (x.kind) {
      case 'respond':
        s.tryRunAt(caseId, now, 'RespondToCase', actor(dept, 'department'), {}, x.lagMs);
        break;
      case 'transfer':
        s.tryRunAt(caseId, now, 'TransferCase', actor(dept, 'department'), { toDepartmentId: other, reason: '转办' }, x.lagMs);
        break;
      case 'complete':
        s.tryRunAt(caseId, now, 'CompleteHandling', actor(dept, 'department'), { result: '办结' }, x.lagMs);
        break;
      case 'review':
        s.tryRunAt(caseId, now, 'ReviewHandling', actor(state.townshipId, 'township'), { departmentId: dept, resolved: x.resolved, satisfaction: x.satisfaction }, x.lagMs);
        break;
      case 'withdraw':
        if (x.b % 3 === 0) s.tryRunAt(caseId, now, 'WithdrawCase', actor(state.townshipId, 'township'), { reason: '撤回' }, x.lagMs);
        break;
      case 'reassign':
        s.tryRunAt(caseId, now, 'ReassignPart', actor('cc-a', 'command_centre'), { fromDepartmentId: dept, toDepartmentId: other, reason: '改派' }, x.lagMs);
        break;
      case 'check':
        s.tryRunAt(caseId, now, 'CheckDeadlines', { orgId: 'system', role: 'system', userId: 'watcher', countyId: COUNTY }, { commandCentreId: 'cc-a' }, x.lagMs);
        break;
      case 'rebase':
        s.nextCalendar();
        s.tryRunAt(caseId, now, 'RebaseDeadlines', { orgId: 'system', role: 'system', userId: 'calendar', countyId: COUNTY }, {}, x.lagMs);
        break;
      case 'urge':
        s.tryRunAt(caseId, now, 'UrgeDepartment', actor('cc-a', 'command_centre'), { departmentId: dept, note: '督办' }, x.lagMs);
        break;
    }
  }
  return s;
}
