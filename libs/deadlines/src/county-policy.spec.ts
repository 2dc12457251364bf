import { decide, foldCase, type Actor, type BlowWhistle, type CaseEvent } from '@chuishao/domain';
import { BusinessCalendar } from '@chuishao/calendar';
import { Catalog } from '@chuishao/catalog';
import { countyPolicy, UnknownMatter } from './county-policy';

const policy = countyPolicy(BusinessCalendar.national(), Catalog.demo());
const township: Actor = { orgId: 'twp-dongba', role: 'township', userId: 'u', countyId: 'county-qingchuan' };
/** Beijing local time (UTC+8) as an ISO instant. */
const cst = (local: string) => new Date(`${local}+08:00`).toISOString();

function blow(now: string, data: Partial<BlowWhistle['data']>): CaseEvent[] {
  return decide({
    type: 'BlowWhistle', caseId: 'c1', actor: township, now,
    data: { title: 't', description: 'd', category: 'resident_request', departmentIds: ['dept-market'], location: { address: 'a' }, ...data },
  }, null, policy);
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
    const matter = Catalog.demo().list().find((m) => m.category !== 'emergency' && m.maxReworkRounds !== 2) ?? Catalog.demo().list()[0];
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
