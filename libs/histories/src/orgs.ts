import type { Actor } from '@chuishao/domain';

/** The orgs of one county a generated history acts with. */
export interface CountyOrgs {
  countyId: string;
  townships: readonly string[];
  departments: readonly string[];
  commandCentreId: string;
}

/** The small county of the unit tests (short ids, four departments). */
export const TEST_COUNTY: CountyOrgs = {
  countyId: 'county-a',
  townships: ['twp-a', 'twp-b'],
  departments: ['dept-a', 'dept-b', 'dept-c', 'dept-d'],
  commandCentreId: 'cc-a',
};

/** The demo county (ids from libs/directory's demo file) and a second one, so routing per county is exercised. */
export const TWO_COUNTIES: CountyOrgs[] = [
  {
    countyId: 'county-qingchuan',
    townships: ['twp-chengguan', 'twp-xinhua', 'twp-nanhe', 'twp-dongba', 'twp-longquan', 'twp-baisha'],
    departments: ['dept-enforcement', 'dept-market', 'dept-ecology', 'dept-housing', 'dept-transport', 'dept-water', 'dept-emergency'],
    commandCentreId: 'cc-qingchuan',
  },
  {
    countyId: 'county-baixi',
    townships: ['twp-baixi-zhen', 'twp-shanping', 'twp-hekou'],
    departments: ['dept-bx-enforcement', 'dept-bx-market', 'dept-bx-ecology', 'dept-bx-water'],
    commandCentreId: 'cc-baixi',
  },
];

export const actorOf = (orgId: string, role: Actor['role'], countyId: string): Actor => ({ orgId, role, userId: `${orgId}-u`, countyId });
export const systemOf = (countyId: string, userId: string): Actor => ({ orgId: 'system', role: 'system', userId, countyId });
