import { decide, DEFAULT_WORKFLOW_LIMITS, foldCase, type Actor, type BlowWhistle, type CaseEvent } from '@chuishao/domain';
import { BusinessCalendar } from '@chuishao/calendar';
import { Catalog } from '@chuishao/catalog';
import { countyPolicy, UnknownMatter } from './county-policy';

const policy = countyPolicy(BusinessCalendar.national(), Catalog.demo());
const township: Actor = { orgId: 'twp-dongba', role: 'township', userId: 'u', countyId: 'county-qingchuan' };
/** Beijing local time (UTC+8) as an ISO instant. */
const cst = (local: string) => new Date(`${local}+08:00`).toISOString();

function blow(now: string, data: Partial<BlowWhistle['data']>): CaseEvent[] {
  return decide(
    {
      type: 'BlowWhistle',
      caseId: 'c1',
      actor: township,
      now,
      facts: { countyDepartments: ['dept-market', ...(data.departmentIds ?? [])] },
      data: { title: 't', description: 'd', category: 'resident_request', departmentIds: ['dept-market'], location: { address: 'a' }, ...data },
    },
    null,
    policy,
  );
}

describe('county policy: catalogue limits on the working calendar', () => {
  it('a working-time whistle raised the evening before 国庆 2026 runs from the first working day after it', () => {
    const [e] = blow(cst('2026-09-30T20:00:00'), {});
    const part = e.type === 'WhistleBlown' ? e.data.parts[0] : null;
    // 2 working hours from Thu 8 Oct 08:30 → 10:30; the reminder at 80% (96 working minutes) → 10:06.
    expect(part?.responseDueAt).toBe(cst('2026-10-08T10:30:00'));
    expect(part?.responseRemindAt).toBe(cst('2026-10-08T10:06:00'));
    // 3 working days after Wed 30 Sep: Thu 8, Fri 9, and the make-up Saturday 10 Oct (调休), to 17:30.
    expect(part?.completionDueAt).toBe(cst('2026-10-10T17:30:00'));
    expect(part?.basis).toMatchObject({ calendarVersion: BusinessCalendar.national().version, catalogVersion: Catalog.demo().version, matterCode: null });
  });

  it('an emergency runs on natural time, over a holiday night', () => {
    const [e] = blow(cst('2026-10-01T23:50:00'), { category: 'emergency' });
    expect(e.type === 'WhistleBlown' && e.data.parts[0].responseDueAt).toBe(cst('2026-10-02T00:20:00'));
  });

  it('a catalogue matter brings its own limits and rework rounds', () => {
    const matter =
      Catalog.demo()
        .list()
        .find((m) => m.category !== 'emergency' && m.maxReworkRounds !== 2) ?? Catalog.demo().list()[0];
    const [e] = blow(cst('2026-03-02T09:00:00'), { category: matter.category, matterCode: matter.code, departmentIds: matter.departmentIds });
    if (e.type !== 'WhistleBlown') throw new Error('expected WhistleBlown');
    expect(e.data.limits).toEqual({ response: matter.responseLimit, completion: matter.completionLimit, maxReworkRounds: matter.maxReworkRounds });
    expect(e.data.parts[0].basis).toMatchObject({ matterCode: matter.code, response: matter.responseLimit });
    expect(foldCase([e])!.limits.maxReworkRounds).toBe(matter.maxReworkRounds);
  });

  it('refuses an unknown matter', () => {
    expect(() => blow(cst('2026-03-02T09:00:00'), { matterCode: 'XX-999' })).toThrow(UnknownMatter);
  });
});

describe('county policy past the last official year', () => {
  it('every catalogue matter can be whistled on every day from 2026-12-01 to 2027-12-31, on a provisional 2027', () => {
    const national = BusinessCalendar.national();
    const provisional2027 = new Set(national.daysOff(2027).holidays);
    const localDay = (iso: string) => new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 10);
    let whistles = 0;
    let reaching2027 = 0;
    for (let day = Date.parse('2026-12-01T10:00:00+08:00'); day <= Date.parse('2027-12-31T10:00:00+08:00'); day += 86_400_000) {
      const now = new Date(day).toISOString();
      for (const matter of Catalog.demo().list()) {
        const [e] = blow(now, { category: matter.category, matterCode: matter.code, departmentIds: matter.departmentIds });
        if (e.type !== 'WhistleBlown') throw new Error(`${now} ${matter.code}: ${e.type}`);
        for (const part of e.data.parts) {
          expect(Date.parse(part.completionDueAt!)).toBeGreaterThan(day);
          const due = localDay(part.completionDueAt!);
          const crosses2027 = due >= '2027-01-01' && matter.completionLimit.clock === 'working';
          if (crosses2027) reaching2027++;
          // A working-time deadline in 2027 never lands on a provisional day off.
          if (crosses2027) expect(provisional2027.has(due)).toBe(false);
          expect(part.basis.provisional).toBe(crosses2027 || (localDay(part.responseDueAt!) >= '2027-01-01' && matter.responseLimit.clock === 'working'));
          if (part.basis.provisional) {
            expect(part.basis.provisionalYears).toContain('2027');
            expect(part.basis.calendarVersion).toBe(national.versionWith(part.basis.provisionalYears!));
          }
        }
        whistles++;
      }
    }
    expect(whistles).toBe(396 * Catalog.demo().list().length);
    expect(reaching2027).toBeGreaterThan(whistles / 2);
  });
});

describe('the moves’ limits', () => {
  it('are the defaults, given limits, or whatever a function returns when decide() asks (the version in force then)', () => {
    expect(policy.workflow).toEqual(DEFAULT_WORKFLOW_LIMITS);
    const one = { ...DEFAULT_WORKFLOW_LIMITS, maxExtensions: 1 };
    expect(countyPolicy(BusinessCalendar.national(), Catalog.demo(), one).workflow).toBe(one);
    let current = DEFAULT_WORKFLOW_LIMITS;
    const live = countyPolicy(BusinessCalendar.national(), Catalog.demo(), () => current);
    expect(live.workflow?.maxExtensions).toBe(2);
    current = one;
    expect(live.workflow?.maxExtensions).toBe(1);
  });
});
