import type { Actor, CaseCommand, CaseEvent, PartAssignment } from '../src';
import { decide, DEFAULT_POLICY, foldCase } from '../src';

export const T0 = '2026-03-02T01:00:00.000Z';
export const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

const actor = (orgId: string, role: Actor['role']): Actor => ({ orgId, role, userId: `${orgId}-user`, countyId: 'county-a' });
export const township = actor('twp-east', 'township');
export const otherTownship = actor('twp-west', 'township');
export const deptA = actor('dept-a', 'department');
export const deptB = actor('dept-b', 'department');
export const deptC = actor('dept-c', 'department');
export const commandCentre = actor('cc-a', 'command_centre');
export const assessmentOffice = actor('ao-a', 'assessment_office');

export const CASE_ID = 'case-1';

/** The departments of county-a, as the directory would tell the command's sender. */
export const COUNTY_FACTS = { countyDepartments: ['dept-a', 'dept-b', 'dept-c'] };

type Cmd<T extends CaseCommand['type']> = Extract<CaseCommand, { type: T }>;
/** A command as the API would send it: those that name departments carry the county's directory facts. */
export function cmd<T extends CaseCommand['type']>(type: T, by: Actor, minutes: number, data: Cmd<T>['data']): Cmd<T> {
  const named: CaseCommand['type'][] = ['BlowWhistle', 'TransferCase', 'ReassignPart', 'ReturnPart', 'DecideReturn'];
  const facts = named.includes(type) ? { facts: COUNTY_FACTS } : {};
  return { type, caseId: CASE_ID, actor: by, now: at(minutes), data, ...facts } as Cmd<T>;
}

export const blow = (departmentIds = ['dept-a', 'dept-b'], category: 'emergency' | 'joint_enforcement' = 'joint_enforcement') =>
  cmd('BlowWhistle', township, 0, {
    title: '河道违法排污',
    description: '东坝河段发现不明排污口',
    category,
    departmentIds,
    location: { address: '东坝镇河滨路12号' },
  });

/** Runs commands through decide/evolve and returns the whole history, as the handler would store it. */
export function history(...commands: CaseCommand[]): CaseEvent[] {
  const events: CaseEvent[] = [];
  for (const c of commands) events.push(...decide(c, foldCase(events), DEFAULT_POLICY));
  return events;
}

const DAY = 24 * 60;
/** The clocks DEFAULT_POLICY gives a part assigned `start` minutes after T0 (natural time, 80% reminders). */
export function naturalAssignment(partId: string, departmentId: string, start: number, responseMinutes = 120): PartAssignment {
  return {
    partId,
    departmentId,
    assignedAt: at(start),
    responseRemindAt: at(start + Math.round(responseMinutes * 0.8)),
    responseDueAt: at(start + responseMinutes),
    completionRemindAt: at(start + Math.round(3 * DAY * 0.8)),
    completionDueAt: at(start + 3 * DAY),
    basis: {
      policyVersion: 'default-2026.1',
      calendarVersion: null,
      catalogVersion: null,
      matterCode: null,
      response: { amount: responseMinutes === 30 ? 30 : 2, unit: responseMinutes === 30 ? 'minutes' : 'hours', clock: 'natural' },
      completion: { amount: 3, unit: 'days', clock: 'natural' },
      provisional: false,
      provisionalYears: [],
    },
  };
}
