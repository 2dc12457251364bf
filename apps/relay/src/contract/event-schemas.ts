import { CASE_EVENT_SCHEMA_VERSION, CASE_EVENT_TYPES, CATEGORIES, SATISFACTIONS, type CaseEventType } from '@chuishao/domain';
import { CE_TYPE_PREFIX } from '../envelope';

/**
 * JSON Schema (2020-12) of the message value for every case event type: the event's data, as in
 * libs/domain/src/events.ts. docs/relay.md carries the same schemas (a unit test compares them), and
 * the relay's tests validate every relayed value against them, so the contract cannot drift silently.
 *
 * Objects are left open on purpose: a new optional field is not a breaking change within a schema
 * version, and consumers must ignore fields they do not know. Tests validate strictly (no unknown
 * fields), so a field added to the domain shows up here as a failing test until it is documented.
 */
export type JsonSchema = { [keyword: string]: unknown };

const str = (description?: string): JsonSchema => ({ type: 'string', minLength: 1, ...(description ? { description } : {}) });
type DefName = 'timestamp' | 'timeLimit' | 'matterLimits' | 'deadlineBasis' | 'partAssignment' | 'rebasedClock' | 'location';
const ref = (name: DefName): JsonSchema => ({ $ref: `#/$defs/${name}` });
const int = (minimum: number, description?: string): JsonSchema => ({ type: 'integer', minimum, ...(description ? { description } : {}) });

const timeLimit: JsonSchema = {
  type: 'object',
  properties: {
    amount: { type: 'number', exclusiveMinimum: 0 },
    unit: { enum: ['minutes', 'hours', 'days'] },
    clock: { enum: ['natural', 'working'], description: 'working: counted in the county\'s working time (official calendar, 调休 included)' },
  },
  required: ['amount', 'unit', 'clock'],
};

const DEFS: Record<DefName, JsonSchema> = {
  timestamp: { type: 'string', format: 'date-time', description: 'ISO-8601 in UTC, e.g. 2026-03-02T08:30:00.000Z' },
  timeLimit,
  matterLimits: {
    type: 'object',
    properties: { response: ref('timeLimit'), completion: ref('timeLimit'), maxReworkRounds: int(0, 'rework rounds (退回重办) allowed after the first handling') },
    required: ['response', 'completion', 'maxReworkRounds'],
  },
  deadlineBasis: {
    type: 'object',
    description: 'the rules a deadline was computed with, so that it can be recomputed',
    properties: {
      policyVersion: str(),
      calendarVersion: { type: ['string', 'null'] },
      catalogVersion: { type: ['string', 'null'] },
      matterCode: { type: ['string', 'null'] },
      response: ref('timeLimit'),
      completion: ref('timeLimit'),
      provisional: { type: 'boolean', description: 'true: a day these deadlines were computed over came from a provisional calendar year (derived from the statutory holidays, official arrangement not yet loaded); absent in events recorded before calendars had provisional years, meaning false' },
      provisionalYears: { type: 'array', items: { type: 'string', pattern: '^\\d{4}$' }, description: 'those provisional years, ascending' },
    },
    required: ['policyVersion', 'calendarVersion', 'catalogVersion', 'matterCode', 'response', 'completion'],
  },
  partAssignment: {
    type: 'object',
    description: 'the clocks one department\'s share (part) of a case runs on',
    properties: {
      partId: str(),
      departmentId: str(),
      assignedAt: ref('timestamp'),
      responseRemindAt: ref('timestamp'),
      responseDueAt: ref('timestamp'),
      completionRemindAt: ref('timestamp'),
      completionDueAt: ref('timestamp'),
      basis: ref('deadlineBasis'),
    },
    required: ['partId', 'departmentId', 'assignedAt', 'responseRemindAt', 'responseDueAt', 'completionRemindAt', 'completionDueAt', 'basis'],
  },
  rebasedClock: {
    type: 'object',
    description: 'one clock moved by a re-basing: the deadline before, and the reminder and deadline now',
    properties: { previousDueAt: ref('timestamp'), remindAt: ref('timestamp'), dueAt: ref('timestamp') },
    required: ['previousDueAt', 'remindAt', 'dueAt'],
  },
  location: {
    type: 'object',
    properties: { address: str(), grid: { type: 'string' }, lat: { type: 'number' }, lng: { type: 'number' } },
    required: ['address'],
  },
};

interface EventShape {
  description: string;
  properties: Record<string, JsonSchema>;
  /** Required besides caseId and occurredAt. */
  required: string[];
}

const part = { partId: str('the part (one department\'s share), e.g. p1'), departmentId: str('the department holding the part') };
const round = int(1, 'handling round: 1, then +1 per rework');
const deadline = { enum: ['response', 'completion'], description: 'response: report-in (报到) clock; completion: completion (办结) clock' };

const SHAPES: Record<CaseEventType, EventShape> = {
  WhistleBlown: {
    description: '吹哨: a township raised a case naming one or more departments; always the first event of a case',
    properties: {
      townshipId: str(), countyId: str(), title: str(), description: { type: 'string' },
      category: { enum: [...CATEGORIES] }, location: ref('location'),
      matterCode: str('code in the whistle catalogue (吹哨清单)'), sourceRef: str('reference in the originating channel (e.g. a 12345 ticket)'),
      policyVersion: str(), limits: ref('matterLimits'),
      parts: { type: 'array', minItems: 1, items: ref('partAssignment') },
    },
    required: ['townshipId', 'countyId', 'title', 'description', 'category', 'location', 'policyVersion', 'limits', 'parts'],
  },
  DepartmentResponded: {
    description: '报到: the department acknowledged its part; its response clock stops',
    properties: { ...part, note: { type: 'string' } },
    required: ['partId', 'departmentId'],
  },
  CaseTransferred: {
    description: '转办: the holding department passed its part to another department, whose clocks start anew',
    properties: { partId: part.partId, fromDepartmentId: str(), toDepartmentId: str(), reason: str(), assignment: ref('partAssignment') },
    required: ['partId', 'fromDepartmentId', 'toDepartmentId', 'reason', 'assignment'],
  },
  HandlingCompleted: {
    description: '办结: the department reports the matter handled for this round',
    properties: { ...part, round, result: str() },
    required: ['partId', 'departmentId', 'round', 'result'],
  },
  ReviewCompleted: {
    description: '一事一评: the township reviewed one completed round of one part',
    properties: { ...part, round, resolved: { type: 'boolean' }, satisfaction: { enum: [...SATISFACTIONS] }, comment: { type: 'string' } },
    required: ['partId', 'departmentId', 'round', 'resolved', 'satisfaction'],
  },
  CaseReopened: {
    description: '退回重办: an unresolved review sent the part back for another round with a new completion deadline',
    properties: { ...part, round, completionRemindAt: ref('timestamp'), completionDueAt: ref('timestamp'), basis: ref('deadlineBasis') },
    required: ['partId', 'departmentId', 'round', 'completionRemindAt', 'completionDueAt', 'basis'],
  },
  PartClosed: {
    description: 'a part is done: resolved, or unresolved after its last allowed rework round',
    properties: { ...part, outcome: { enum: ['resolved', 'unresolved'] } },
    required: ['partId', 'departmentId', 'outcome'],
  },
  PartReassigned: {
    description: '督办 reassignment: the county command centre moved a part to another department; its clocks start anew',
    properties: { partId: part.partId, fromDepartmentId: str(), toDepartmentId: str(), reason: str(), assignment: ref('partAssignment') },
    required: ['partId', 'fromDepartmentId', 'toDepartmentId', 'reason', 'assignment'],
  },
  DeadlineReminderSent: {
    description: '提醒: the deadline watcher reminded the holding department (a share of the limit has passed)',
    properties: { ...part, deadline, round, dueAt: ref('timestamp') },
    required: ['partId', 'departmentId', 'deadline', 'round', 'dueAt'],
  },
  ResponseOverdue: {
    description: '催办: the report-in deadline passed without a report-in',
    properties: { ...part, round, dueAt: ref('timestamp') },
    required: ['partId', 'departmentId', 'round', 'dueAt'],
  },
  CompletionOverdue: {
    description: '催办: the completion deadline of a round passed without a completion',
    properties: { ...part, round, dueAt: ref('timestamp') },
    required: ['partId', 'departmentId', 'round', 'dueAt'],
  },
  CaseEscalated: {
    description: '督办: an overdue part was escalated to the county command centre',
    properties: { ...part, deadline, round, commandCentreId: str() },
    required: ['partId', 'departmentId', 'deadline', 'round', 'commandCentreId'],
  },
  DepartmentUrged: {
    description: '督办: the command centre formally urged the department holding a part',
    properties: { ...part, note: str() },
    required: ['partId', 'departmentId', 'note'],
  },
  DeadlinesRebased: {
    description: 'the working calendar changed (a provisional year replaced by its official arrangement): the running clocks of these parts were recomputed from their start instants',
    properties: {
      parts: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          properties: {
            ...part,
            round,
            response: { ...ref('rebasedClock'), description: 'present while the part awaited its report-in' },
            completion: ref('rebasedClock'),
            basis: ref('deadlineBasis'),
          },
          required: ['partId', 'departmentId', 'round', 'completion', 'basis'],
        },
      },
    },
    required: ['parts'],
  },
  CaseWithdrawn: {
    description: 'the raising township withdrew the case',
    properties: { townshipId: str(), reason: str() },
    required: ['townshipId', 'reason'],
  },
  CaseClosed: {
    description: 'every part is closed; the case is finished',
    properties: { resolvedParts: int(0), unresolvedParts: int(0) },
    required: ['resolvedParts', 'unresolvedParts'],
  },
};

export const ceTypeOf = (type: string, version = CASE_EVENT_SCHEMA_VERSION) => `${CE_TYPE_PREFIX}${type}.v${version}`;

/** The schema of one event type's message value, self-contained (only the $defs it uses). */
export function eventSchema(type: CaseEventType): JsonSchema {
  const shape = SHAPES[type];
  const body: JsonSchema = {
    type: 'object',
    properties: { caseId: str('the case; equals the message key and ce_subject'), occurredAt: ref('timestamp'), ...shape.properties },
    required: ['caseId', 'occurredAt', ...shape.required],
  };
  const defs: Record<string, JsonSchema> = {};
  collectDefs(body, defs);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `urn:${ceTypeOf(type)}`,
    title: ceTypeOf(type),
    description: shape.description,
    ...body,
    $defs: Object.fromEntries(Object.keys(DEFS).filter((k) => k in defs).map((k) => [k, defs[k]])), // in a fixed order
  };
}

export const EVENT_SCHEMAS: Readonly<Record<string, JsonSchema>> = Object.fromEntries(CASE_EVENT_TYPES.map((t) => [t, eventSchema(t)]));

function collectDefs(node: unknown, into: Record<string, JsonSchema>): void {
  if (Array.isArray(node)) return node.forEach((n) => collectDefs(n, into));
  if (!node || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string') {
      const name = value.replace('#/$defs/', '') as DefName;
      if (!into[name]) {
        into[name] = DEFS[name];
        collectDefs(DEFS[name], into);
      }
    } else collectDefs(value, into);
  }
}
