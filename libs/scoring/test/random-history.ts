import fc from 'fast-check';
import { SATISFACTIONS } from '@chuishao/domain';
import { ACTION_KINDS, TEST_COUNTY, type Action } from '@chuishao/histories';

export { historyOf } from '@chuishao/histories';
export const DEPTS = [...TEST_COUNTY.departments];

/** The histories' actions as fast-check draws them (so a failing history shrinks to a short one). */
export const actionArb: fc.Arbitrary<Action> = fc.record({
  // Minutes: within a response window (120), across it, and across completion windows (4320).
  advance: fc.oneof(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 30, max: 600 }), fc.integer({ min: 600, max: 6000 })),
  kind: fc.constantFrom(...ACTION_KINDS),
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
