import type { Category, CasePolicy, MatterLimits, TimeLimit } from '@chuishao/domain';
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

export class UnknownMatter extends Error {
  readonly code = 'CATALOG.UNKNOWN_MATTER';
  constructor(readonly matterCode: string) {
    super(`no matter ${matterCode} in the whistle catalogue`);
  }
}

/** The county's deadline rules: its whistle catalogue (吹哨清单) on its working calendar (with 调休). */
export function countyPolicy(calendar: BusinessCalendar, catalog: Catalog): CasePolicy {
  return {
    version: `county/${catalog.version}/${calendar.version}`,
    calendarVersion: calendar.version,
    catalogVersion: catalog.version,
    reminderFraction: 0.8,
    limitsFor(category: Category, matterCode?: string): MatterLimits {
      if (matterCode === undefined) return DEFAULT_LIMITS[category === 'emergency' ? 'emergency' : 'ordinary'];
      const matter = catalog.get(matterCode);
      if (!matter) throw new UnknownMatter(matterCode);
      return { response: matter.responseLimit, completion: matter.completionLimit, maxReworkRounds: matter.maxReworkRounds };
    },
    due(from: string, limit: TimeLimit, fraction = 1): string {
      const start = new Date(from);
      const end = deadline(calendar, start, limit);
      return (fraction === 1 ? end : fractionElapsedAt(calendar, start, end, limit.clock, fraction)).toISOString();
    },
  };
}
