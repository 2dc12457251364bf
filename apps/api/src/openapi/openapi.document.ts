import { scorecardPaths, scorecardSchemas } from '../scorecards/scorecards.openapi';

/**
 * The /v1 contract as OpenAPI 3.1. Written by hand next to the routes; the e2e suite checks that
 * every route the app serves is documented here and nothing documented is missing.
 */
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });
const caseId = { name: 'caseId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const commandHeaders = [
  { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 128 }, description: 'Same key and body: the first response again, nothing appended. Same key, other body: 422.' },
  { name: 'If-Match', in: 'header', required: false, schema: { type: 'string' }, description: 'The ETag (case version) the client saw; 412 if the case has moved on.' },
  { name: 'X-Correlation-Id', in: 'header', required: false, schema: { type: 'string' }, description: 'Recorded on every event the request causes.' },
];
const errors = {
  400: problem('Malformed or unknown fields; `errors` names each field'),
  401: problem('No or bad bearer token'),
  403: problem('The caller’s role may not do this'),
  404: problem('No such case, or not visible to the caller'),
  409: problem('CASE.INVALID_STATE, or CASE.CONCURRENCY_CONFLICT'),
  412: problem('If-Match did not match the case version'),
  422: problem('Idempotency-Key reused with another request'),
};

function caseCommand(summary: string, body: string) {
  return {
    post: {
      summary,
      parameters: [caseId, ...commandHeaders],
      requestBody: { required: true, ...json(ref(body)) },
      responses: { 200: { description: 'The case after the command', headers: { ETag: { schema: { type: 'string' } } }, ...json(ref('Case')) }, ...errors },
      security: [{ bearer: [] }],
    },
  };
}

const str = { type: 'string' };
const time = { type: 'string', format: 'date-time' };
const nullableTime = { type: ['string', 'null'], format: 'date-time' };

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Chuishao (吹哨) API',
    version: '1.0.0',
    description: 'Township whistle, department responds (乡镇吹哨、部门报到): event-sourced cases with per-org scoping. Errors are application/problem+json.',
  },
  servers: [{ url: '/' }],
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    schemas: {
      Problem: {
        type: 'object',
        required: ['type', 'title', 'status', 'detail', 'code'],
        properties: {
          type: str, title: str, status: { type: 'integer' }, detail: str, code: str, instance: str,
          errors: { type: 'array', items: { type: 'object', required: ['field', 'message'], properties: { field: str, message: str } } },
        },
      },
      Org: { type: 'object', properties: { id: str, name: str, type: { enum: ['township', 'department', 'command_centre', 'assessment_office'] }, countyId: str } },
      Location: { type: 'object', required: ['address'], additionalProperties: false, properties: { address: str, grid: str, lat: { type: 'number' }, lng: { type: 'number' } } },
      BlowWhistle: {
        type: 'object',
        additionalProperties: false,
        required: ['title', 'description', 'location'],
        description: 'category and departmentIds are required unless matterCode names a catalogue matter, which supplies them',
        properties: {
          title: { type: 'string', maxLength: 120 },
          description: { type: 'string', maxLength: 4000 },
          category: { enum: ['joint_enforcement', 'key_task', 'emergency', 'resident_request'] },
          departmentIds: { type: 'array', minItems: 1, maxItems: 20, items: str },
          location: ref('Location'),
          matterCode: str,
          sourceRef: str,
        },
      },
      Respond: { type: 'object', additionalProperties: false, properties: { note: str } },
      Transfer: { type: 'object', additionalProperties: false, required: ['toDepartmentId', 'reason'], properties: { toDepartmentId: str, reason: str } },
      Complete: { type: 'object', additionalProperties: false, required: ['result'], properties: { result: str } },
      Review: {
        type: 'object',
        additionalProperties: false,
        required: ['departmentId', 'resolved', 'satisfaction'],
        properties: { departmentId: str, resolved: { type: 'boolean' }, satisfaction: { enum: ['satisfied', 'basically_satisfied', 'dissatisfied'] }, comment: str },
      },
      Withdraw: { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: str } },
      Urge: { type: 'object', additionalProperties: false, required: ['departmentId', 'note'], properties: { departmentId: str, note: str } },
      Reassign: {
        type: 'object', additionalProperties: false, required: ['fromDepartmentId', 'toDepartmentId', 'reason'],
        properties: { fromDepartmentId: str, toDepartmentId: str, reason: str },
      },
      Part: {
        type: 'object',
        properties: {
          partId: str, departmentId: str,
          status: { enum: ['awaiting_response', 'in_progress', 'completed', 'closed'] },
          round: { type: 'integer', description: '1 for the first handling; each rework adds one' },
          assignedAt: time, responseDueAt: time, respondedAt: nullableTime, completionDueAt: time, completedAt: nullableTime,
          result: { type: ['string', 'null'] },
          review: { type: ['object', 'null'], properties: { round: { type: 'integer' }, resolved: { type: 'boolean' }, satisfaction: str, comment: str, reviewedAt: time } },
          outcome: { enum: ['resolved', 'unresolved', null] },
          responseRemindAt: time, completionRemindAt: time,
          deadlineBasis: { type: 'object', description: 'Policy, calendar and catalogue versions and the limits the current deadlines were computed with' },
          responseAlert: { enum: ['none', 'reminded', 'overdue', 'escalated'] },
          completionAlert: { enum: ['none', 'reminded', 'overdue', 'escalated'] },
          urges: { type: 'integer' },
          transfers: { type: 'array', items: { type: 'object', properties: { fromDepartmentId: str, toDepartmentId: str, reason: str, at: time } } },
        },
      },
      Case: {
        type: 'object',
        properties: {
          caseId: str, townshipId: str, countyId: str, title: str, description: str, category: str, location: ref('Location'),
          matterCode: { type: ['string', 'null'] }, sourceRef: { type: ['string', 'null'] },
          status: { enum: ['open', 'closed', 'withdrawn'] }, raisedAt: time, closedAt: nullableTime, policyVersion: str,
          parts: { type: 'array', items: ref('Part') },
          version: { type: 'integer', description: 'Revision of the last event; the ETag' },
          position: { type: 'integer', description: 'Global position of the last event; pass as minPosition to GET /v1/cases' },
        },
      },
      CaseEvent: {
        type: 'object',
        properties: {
          id: str, type: str, revision: { type: 'integer' }, position: { type: 'integer' }, occurredAt: time, recordedAt: time,
          actor: { type: 'object', properties: { orgId: str, role: str, userId: str } }, correlationId: str, causationId: str, data: { type: 'object' },
        },
      },
      ...scorecardSchemas,
    },
  },
  paths: {
    '/v1/openapi.json': { get: { summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1' } } } },
    '/v1/health': {
      get: {
        summary: 'Liveness and lag (public, no case data): store head, read-model checkpoints and generations (with a rebuild under way), calendar coverage',
        responses: { 200: json({ type: 'object' }), 503: { description: 'The event store does not answer' } },
      },
    },
    '/v1/catalog': {
      get: {
        summary: '吹哨清单: the whistle catalogue (public): matters with departments and time limits',
        responses: { 200: json({ type: 'object', properties: { version: str, matters: { type: 'array', items: { type: 'object' } } } }) },
      },
    },
    '/v1/orgs': { get: { summary: 'The org directory (public)', responses: { 200: json({ type: 'array', items: ref('Org') }) } } },
    '/v1/dev/tokens': {
      post: {
        summary: 'Development mode only: a bearer token for an org (absent in production)',
        requestBody: { required: true, ...json({ type: 'object', required: ['orgId'], properties: { orgId: str, userId: str } }) },
        responses: { 201: json({ type: 'object', properties: { token: str } }), 400: errors[400] },
      },
    },
    '/v1/whistles': {
      post: {
        summary: '吹哨: a township raises a case to one or more departments',
        parameters: commandHeaders,
        requestBody: { required: true, ...json(ref('BlowWhistle')) },
        responses: { 201: { description: 'The new case', headers: { Location: { schema: str }, ETag: { schema: str } }, ...json(ref('Case')) }, 400: errors[400], 401: errors[401], 403: errors[403], 422: errors[422] },
        security: [{ bearer: [] }],
      },
    },
    '/v1/cases': {
      get: {
        summary: 'The caller’s inbox (read model), newest first, cursor-paged',
        parameters: [
          { name: 'status', in: 'query', schema: { enum: ['open', 'closed', 'withdrawn'] } },
          { name: 'departmentId', in: 'query', schema: str },
          { name: 'townshipId', in: 'query', schema: str },
          { name: 'category', in: 'query', schema: { enum: ['joint_enforcement', 'key_task', 'emergency', 'resident_request'] } },
          { name: 'raisedFrom', in: 'query', schema: time, description: 'Raised at or after' },
          { name: 'raisedTo', in: 'query', schema: time, description: 'Raised before' },
          { name: 'q', in: 'query', schema: str, description: 'Substring of title or description' },
          { name: 'overdue', in: 'query', schema: { type: 'boolean' }, description: 'Some running clock is past its deadline now' },
          { name: 'escalation', in: 'query', schema: { enum: ['none', 'reminded', 'overdue', 'escalated'] }, description: 'Highest watcher rung (提醒/催办/督办) on any part' },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
          { name: 'cursor', in: 'query', schema: str },
          { name: 'minPosition', in: 'query', schema: { type: 'integer', minimum: 0 }, description: 'Wait until the read model has applied this position (503 if it does not in time)' },
        ],
        responses: { 200: json({ type: 'object', properties: { items: { type: 'array', items: ref('Case') }, nextCursor: { type: ['string', 'null'] } } }), 400: errors[400], 401: errors[401], 503: problem('Read model not caught up in time') },
        security: [{ bearer: [] }],
      },
    },
    '/v1/cases/{caseId}': {
      get: { summary: 'One case', parameters: [caseId], responses: { 200: json(ref('Case')), 401: errors[401], 404: errors[404] }, security: [{ bearer: [] }] },
    },
    '/v1/cases/{caseId}/events': {
      get: { summary: '全程留痕: the case’s full history', parameters: [caseId], responses: { 200: json({ type: 'array', items: ref('CaseEvent') }), 401: errors[401], 404: errors[404] }, security: [{ bearer: [] }] },
    },
    '/v1/cases/{caseId}/responses': caseCommand('报到: the holding department reports in', 'Respond'),
    '/v1/cases/{caseId}/transfers': caseCommand('转办: pass the part to another department', 'Transfer'),
    '/v1/cases/{caseId}/completions': caseCommand('办结: report the part handled', 'Complete'),
    '/v1/cases/{caseId}/reviews': caseCommand('一事一评: the township reviews a completed part', 'Review'),
    '/v1/cases/{caseId}/withdrawal': caseCommand('Withdraw the case (raising township)', 'Withdraw'),
    '/v1/cases/{caseId}/urges': caseCommand('督办: the command centre urges the department holding a part', 'Urge'),
    '/v1/cases/{caseId}/reassignments': caseCommand('督办: the command centre reassigns a part; the new department’s clocks start anew', 'Reassign'),
    '/v1/dev/clock/advance': {
      post: {
        summary: 'Development with CLOCK=simulated only: move server time forward (absent otherwise)',
        requestBody: { required: true, ...json({ type: 'object', required: ['minutes'], properties: { minutes: { type: 'integer', minimum: 1 } } }) },
        responses: { 200: json({ type: 'object', properties: { now: time } }), 400: errors[400] },
      },
    },
    ...scorecardPaths,
  },
};
