/** The scorecard routes' part of the OpenAPI document (spread into openapi.document.ts). */
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });
const int = { type: 'integer', minimum: 0 };
const rate = { type: ['number', 'null'], minimum: 0, maximum: 1, description: 'numerator / denominator, unrounded; null when the denominator is 0' };
const minutes = { type: ['number', 'null'], description: 'minutes of natural time, two decimals; null without responded parts' };
const str = { type: 'string' };
const time = { type: 'string', format: 'date-time' };
const nullableTime = { type: ['string', 'null'], format: 'date-time' };

const period = [
  { name: 'from', in: 'query', required: true, schema: { type: 'string', format: 'date' }, description: 'First local date (county time zone) of the period [from, to)' },
  { name: 'to', in: 'query', required: true, schema: { type: 'string', format: 'date' }, description: 'Local date after the period (exclusive); at most 731 days after from' },
  { name: 'asOf', in: 'query', schema: time, description: 'The instant described (default now): only events recorded by then count; in the future: 400. Encode + as %2B.' },
  { name: 'policy', in: 'query', schema: str, description: 'Re-score under this scoring policy version (default: the one in force at asOf)' },
];
const departmentId = { name: 'departmentId', in: 'path', required: true, schema: str };
const errors = {
  400: problem('Invalid from/to/asOf/policy; `errors` names each field'),
  401: problem('No or bad bearer token'),
  403: problem('Another county, or explain asked by someone other than the assessment office, the command centre or the department itself'),
  404: problem('No such department'),
  503: problem('The scoring read model has not caught up in time; retry'),
};

const rowProperties = {
  departmentId: str, name: str, received: int, responded: int, respondedOnTime: int, responseDue: int, responseRate: rate,
  medianResponseMinutes: minutes, p90ResponseMinutes: minutes, completionDue: int, completedOnTime: int, completionRate: rate,
  reviewed: int, resolved: int, resolutionRate: rate, satisfied: int, basicallySatisfied: int, dissatisfied: int, satisfactionRate: rate,
  transfersOut: int, transfersIn: int, reopened: int, overdue: int,
  compositeScore: { type: ['number', 'null'], description: '100 · Σ w·rate / Σ w over the defined rates, two decimals' },
  rank: { type: ['integer', 'null'], description: '1, 2, 2, 4 on ties; null under minRankedParts responseDue parts' },
};
const header = { from: { type: 'string', format: 'date' }, to: { type: 'string', format: 'date' }, asOf: time, policyVersion: str, countyId: str };
const countFields = Object.keys(rowProperties).filter((k) => (rowProperties as Record<string, unknown>)[k] === int);
const rateNames = { type: 'array', items: { enum: ['responseRate', 'completionRate', 'resolutionRate', 'satisfactionRate'] } };

export const scorecardSchemas = {
  ScorecardRow: { type: 'object', required: Object.keys(rowProperties), properties: rowProperties },
  Scorecard: {
    type: 'object',
    description: 'scoring.md, per department of the county, ranked first',
    properties: { ...header, departments: { type: 'array', items: ref('ScorecardRow') } },
  },
  DepartmentScorecard: {
    type: 'object',
    properties: {
      ...header,
      department: ref('ScorecardRow'),
      trend: { type: 'array', items: { allOf: [ref('ScorecardRow'), { type: 'object', properties: { month: str, from: header.from, to: header.to } }] } },
    },
  },
  ExplainedPart: {
    type: 'object',
    properties: {
      caseId: str, partId: str, holding: { type: 'integer', description: '0: from the whistle; n: after the n-th transfer/reassignment' },
      townshipId: str, townshipName: { type: ['string', 'null'] }, departmentId: str,
      receivedBy: { enum: ['whistle', 'transfer', 'reassignment'] }, fromDepartmentId: { type: ['string', 'null'] },
      assignedAt: time, responseDueAt: time, completionDueAt: time, respondedAt: nullableTime,
      responseKind: { enum: ['report_in', 'transfer', null] }, responseMinutes: minutes,
      rounds: { type: 'array', items: { type: 'object', properties: { round: { type: 'integer' }, completionDueAt: time, openedAt: time, completedAt: nullableTime } } },
      firstCompletedAt: nullableTime,
      latestReview: { type: ['object', 'null'], properties: { round: { type: 'integer' }, resolved: { type: 'boolean' }, satisfaction: str, reviewedAt: time } },
      reviews: int,
      ended: { type: ['object', 'null'], properties: { kind: { enum: ['transferred', 'reassigned', 'closed', 'withdrawn'] }, at: time, toDepartmentId: { type: ['string', 'null'] } } },
      clocksStoppedAt: nullableTime,
      overdue: { type: 'object', properties: { response: { type: 'boolean' }, completion: { type: 'boolean' } } },
      counts: { type: 'object', description: 'what this part adds to each count of the row', properties: Object.fromEntries(countFields.map((f) => [f, int])) },
      numerators: rateNames,
      denominators: rateNames,
    },
  },
  ScorecardExplanation: {
    type: 'object',
    properties: { ...header, department: ref('ScorecardRow'), parts: { type: 'array', items: ref('ExplainedPart') } },
  },
};

export const scorecardPaths = {
  '/v1/scorecards': {
    get: {
      summary: '以下评上: the county’s department scorecards, ranked (JSON, or CSV with Accept: text/csv or format=csv)',
      parameters: [
        ...period,
        { name: 'countyId', in: 'query', schema: str, description: 'Default and only allowed value: the caller’s county' },
        { name: 'format', in: 'query', schema: { enum: ['json', 'csv'] }, description: 'Overrides Accept' },
      ],
      responses: {
        200: {
          description: 'The scorecard. CSV: a header row of the field names, UTF-8 with BOM; X-Scorecard-As-Of and X-Scorecard-Policy-Version headers',
          content: { 'application/json': { schema: ref('Scorecard') }, 'text/csv': { schema: { type: 'string' } } },
        },
        400: errors[400], 401: errors[401], 403: errors[403], 503: errors[503],
      },
      security: [{ bearer: [] }],
    },
  },
  '/v1/scorecards/{departmentId}': {
    get: {
      summary: 'One department’s scorecard over the period, and month by month',
      parameters: [departmentId, ...period],
      responses: { 200: json(ref('DepartmentScorecard')), 400: errors[400], 401: errors[401], 403: errors[403], 404: errors[404], 503: errors[503] },
      security: [{ bearer: [] }],
    },
  },
  '/v1/scorecards/{departmentId}/explain': {
    get: {
      summary: 'Every part counted on the department’s row and what it entered (assessment office, command centre, the department itself)',
      parameters: [departmentId, ...period],
      responses: { 200: json(ref('ScorecardExplanation')), 400: errors[400], 401: errors[401], 403: errors[403], 404: errors[404], 503: errors[503] },
      security: [{ bearer: [] }],
    },
  },
};
