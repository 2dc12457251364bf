import fc from 'fast-check';
import { decide, DEFAULT_POLICY, DomainError, foldCase, systemActor, type Actor, type CaseCommand, type CaseEvent } from '.';
import { at, blow, CASE_ID, commandCentre, COUNTY_FACTS, deptA, deptB, deptC, township } from '../test/fixtures';

const actors: Actor[] = [township, deptA, deptB, deptC, commandCentre, systemActor('county-a', 'watcher')];
const departments = ['dept-a', 'dept-b', 'dept-c'];

/** Any command anyone might send, valid or not: the decider must keep the case consistent regardless. */
const command = fc.record({
  kind: fc.constantFrom('respond', 'transfer', 'complete', 'review', 'withdraw', 'reassign', 'urge', 'check'),
  by: fc.constantFrom(...actors),
  dept: fc.constantFrom(...departments),
  other: fc.constantFrom(...departments),
  resolved: fc.boolean(),
  minutes: fc.integer({ min: 0, max: 5 * 24 * 60 }),
});

type Generated = typeof command extends fc.Arbitrary<infer T> ? T : never;

function toCommand(c: Generated, now: number): CaseCommand {
  const base = { caseId: CASE_ID, actor: c.by, now: at(now) };
  switch (c.kind) {
    case 'respond':
      return { ...base, type: 'RespondToCase', data: {} };
    case 'transfer':
      return { ...base, type: 'TransferCase', facts: COUNTY_FACTS, data: { toDepartmentId: c.other, reason: '转办' } };
    case 'complete':
      return { ...base, type: 'CompleteHandling', data: { result: '办结' } };
    case 'review':
      return { ...base, type: 'ReviewHandling', data: { departmentId: c.dept, resolved: c.resolved, satisfaction: c.resolved ? 'satisfied' : 'dissatisfied' } };
    case 'withdraw':
      return { ...base, type: 'WithdrawCase', data: { reason: '撤回' } };
    case 'reassign':
      return { ...base, type: 'ReassignPart', facts: COUNTY_FACTS, data: { fromDepartmentId: c.dept, toDepartmentId: c.other, reason: '改派' } };
    case 'urge':
      return { ...base, type: 'UrgeDepartment', data: { departmentId: c.dept, note: '督办' } };
    case 'check':
      return { ...base, type: 'CheckDeadlines', data: { commandCentreId: 'cc-a' } };
  }
}

describe('case invariants under any sequence of commands', () => {
  it('keeps the case consistent, whatever is accepted or refused', () => {
    fc.assert(
      fc.property(fc.subarray(departments, { minLength: 1 }), fc.array(command, { maxLength: 60 }), (named, commands) => {
        const history: CaseEvent[] = decide(blow(named), null, DEFAULT_POLICY);
        let now = 0;
        for (const c of commands) {
          now += c.minutes;
          const before = foldCase(history)!;
          let events: CaseEvent[];
          try {
            events = decide(toCommand(c, now), before, DEFAULT_POLICY);
          } catch (error) {
            expect(error).toBeInstanceOf(DomainError); // refusals are always explained, never crashes
            continue;
          }
          expect(before.status).toBe('open'); // nothing is accepted on a closed or withdrawn case
          history.push(...events);
        }
        const state = foldCase(history)!;
        const open = state.parts.filter((p) => p.status !== 'closed');
        // A department holds at most one open part; rounds never exceed the first handling plus rework.
        expect(new Set(open.map((p) => p.departmentId)).size).toBe(open.length);
        for (const p of state.parts) expect(p.round).toBeLessThanOrEqual(1 + state.limits.maxReworkRounds);
        // The case is closed exactly when every part is, unless the township withdrew it.
        if (state.status !== 'withdrawn') expect(state.status === 'closed').toBe(open.length === 0);
        // Every closing event comes last, once.
        const terminal = history.filter((e) => e.type === 'CaseClosed' || e.type === 'CaseWithdrawn');
        expect(terminal.length).toBeLessThanOrEqual(1);
        if (terminal.length) expect(history[history.length - 1]).toBe(terminal[0]);
        // Each watcher rung is recorded at most once per part and clock assignment.
        const rungs = history.filter((e) => e.type === 'ResponseOverdue' || e.type === 'CompletionOverdue').map((e) => JSON.stringify([e.type, e.data]));
        expect(new Set(rungs).size).toBe(rungs.length);
      }),
      { numRuns: 300 },
    );
  });
});
