import type { Refusal } from './refusal';

/** A refusal with every field set; tests override what they are about. */
export function refusalAt(at: string | number, extra: Partial<Refusal> = {}): Refusal {
  return {
    at: new Date(at).toISOString(),
    orgId: 'twp-longquan',
    userId: 'li.ming',
    role: 'township',
    countyId: 'county-qingchuan',
    ip: '10.0.0.7',
    method: 'GET',
    route: '/v1/cases/:caseId',
    caseId: null,
    status: 404,
    outcome: 'CASE.NOT_FOUND',
    detail: 'no case',
    correlationId: `c-${new Date(at).getTime()}`,
    ...extra,
  };
}
