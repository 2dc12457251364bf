import fc from 'fast-check';
import { SATISFACTIONS } from '@chuishao/domain';
import { ACTION_KINDS, TEST_COUNTY, type Action } from '@chuishao/histories';

export { historyOf } from '@chuishao/histories';
export const DEPTS = [...TEST_COUNTY.departments];

/** The histories' actions as fast-check draws them (so a failing history shrinks to a short one), from a mix of kinds. */
export const actionArbOf = (kinds: readonly Action['kind'][]): fc.Arbitrary<Action> =>
  fc.record({
    // Minutes: within a response window (120), across it, and across completion windows (4320).
    advance: fc.oneof(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 30, max: 600 }), fc.integer({ min: 600, max: 6000 })),
    kind: fc.constantFrom(...kinds),
    a: fc.nat(),
    b: fc.nat(),
    c: fc.nat(),
    resolved: fc.boolean(),
    satisfaction: fc.constantFrom(...SATISFACTIONS),
    // The store records an event at, after, or (clock skew) slightly before it occurred.
    lagMs: fc.oneof(fc.constant(0), fc.integer({ min: -120_000, max: 3_600_000 })),
  });

export const actionArb: fc.Arbitrary<Action> = actionArbOf(ACTION_KINDS);

/**
 * The practice's moves often: extensions, returns and appeals asked and decided, between the steps that make
 * them possible (report-in, completion, review) and short clock advances, so appeal windows are met.
 */
export const WORKFLOW_KINDS: readonly Action['kind'][] = [
  'blow',
  'respond',
  'respond',
  'complete',
  'complete',
  'review',
  'review',
  'transfer',
  'check',
  'rebase',
  'extend',
  'extend',
  'decideExtension',
  'decideExtension',
  'return',
  'decideReturn',
  'appeal',
  'appeal',
  'decideAppeal',
  'decideAppeal',
];

/** Histories of every length up to maxLength (fast-check otherwise favours short arrays). */
export const actionsArb = (maxLength: number, arb: fc.Arbitrary<Action> = actionArb) => fc.array(arb, { minLength: 1, maxLength, size: 'max' });
export const workflowActionsArb = (maxLength: number) => actionsArb(maxLength, actionArbOf(WORKFLOW_KINDS));
