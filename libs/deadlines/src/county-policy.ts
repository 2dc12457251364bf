import {
  DEFAULT_WORKFLOW_LIMITS,
  type Category,
  type CasePolicy,
  type ClockInstants,
  type ClockStarts,
  type MatterLimits,
  type Schedule,
  type WorkflowLimits,
} from '@chuishao/domain';
import { deadline, fractionElapsedAt, type BusinessCalendar } from '@chuishao/calendar';
import type { Catalog } from '@chuishao/catalog';

/**
 * Limits for a whistle without a catalogue matter. Emergencies run on natural time (the Pinggu
 * 30-minute rule: nobody waits for office hours); everything else on the county's working time.
 */
const DEFAULT_LIMITS: Record<'emergency' | 'ordinary', MatterLimits> = {
  emergency: {
    response: { amount: 30, unit: 'minutes', clock: 'natural' },
    completion: { amount: 3, unit: 'days', clock: 'natural' },
    maxReworkRounds: 2,
  },
  ordinary: {
    response: { amount: 2, unit: 'hours', clock: 'working' },
    completion: { amount: 3, unit: 'days', clock: 'working' },
    maxReworkRounds: 2,
  },
};

/** 提醒 at 80% of a limit. */
const REMINDER_FRACTION = 0.8;

export class UnknownMatter extends Error {
  readonly code = 'CATALOG.UNKNOWN_MATTER';
  constructor(readonly matterCode: string) {
    super(`no matter ${matterCode} in the whistle catalogue`);
  }
}

/** Where the policy finds the calendar in force (a CalendarRegistry reloads it while serving). */
export interface CalendarInForce {
  readonly current: BusinessCalendar;
}

/**
 * The county's deadline rules: its whistle catalogue (吹哨清单) on the working calendar in force, with
 * each county's overlay (local holidays, working hours). Every clock is computed under `traced`, so a
 * deadline that rests on a provisional year says so in its basis.
 */
export function countyPolicy(
  calendars: BusinessCalendar | CalendarInForce,
  catalog: Catalog,
  workflow: WorkflowLimits | (() => WorkflowLimits) = DEFAULT_WORKFLOW_LIMITS,
): CasePolicy {
  const inForce: CalendarInForce = 'current' in calendars ? calendars : { current: calendars };
  const limits = typeof workflow === 'function' ? workflow : () => workflow;
  // One string per calendar in force, not one per call: every whistle and every cached case state carries it.
  let named: { calendar: BusinessCalendar; version: string } | null = null;
  return {
    get version() {
      const calendar = inForce.current;
      if (named?.calendar !== calendar) named = { calendar, version: `county/${catalog.version}/${calendar.version}` };
      return named.version;
    },
    catalogVersion: catalog.version,
    reminderFraction: REMINDER_FRACTION,
    // 延期, 申诉 and 退单审定 limits (by default at most 2 extensions per part, appeals within 3 working days of the
    // review, returns decided within 2 working hours); a function: the policy version in force when decide() asks.
    get workflow() {
      return limits();
    },
    limitsFor(category: Category, matterCode?: string): MatterLimits {
      if (matterCode === undefined) return DEFAULT_LIMITS[category === 'emergency' ? 'emergency' : 'ordinary'];
      const matter = catalog.get(matterCode);
      if (!matter) throw new UnknownMatter(matterCode);
      return { response: matter.responseLimit, completion: matter.completionLimit, maxReworkRounds: matter.maxReworkRounds };
    },
    schedule(countyId: string, starts: ClockStarts): Schedule {
      const calendar = inForce.current.forCounty(countyId);
      const clock = (s: ClockStarts['response']): ClockInstants | undefined => {
        if (!s) return undefined;
        const start = new Date(s.from);
        const end = deadline(calendar, start, s.limit);
        const remind = fractionElapsedAt(calendar, start, end, s.limit.clock, REMINDER_FRACTION);
        return { remindAt: remind.toISOString(), dueAt: end.toISOString() };
      };
      const { value, provisionalYears } = calendar.traced(() => ({ response: clock(starts.response), completion: clock(starts.completion) }));
      return { ...value, calendarVersion: calendar.versionWith(provisionalYears), provisionalYears };
    },
  };
}
