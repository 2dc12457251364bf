import { applyDecorators, type Type } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiHeader, ApiOperation, ApiParam, ApiResponse, ApiTags, getSchemaPath, type ApiResponseOptions } from '@nestjs/swagger';
import type { HeadersObject, SchemaObject } from '@nestjs/swagger';
import { AUDIT_LIMIT, ListAuditDto, ListAuditRoute, MAX_AUDIT_DAYS } from '../audit/list-audit.route';
import { DevTokenDto, DevTokensRoute } from '../auth/dev-tokens.route';
import { BlowWhistleDto, LocationDto } from '../cases/blow-whistle/blow-whistle.dto';
import { BlowWhistleRoute } from '../cases/blow-whistle/blow-whistle.route';
import { CompleteDto, CompleteRoute } from '../cases/complete/complete.route';
import { AddNoteDto, AddNoteRoute } from '../cases/add-note/add-note.route';
import { GetAttachmentRoute } from '../attachments/get-attachment.route';
import { FILE_FIELD, UploadAttachmentRoute } from '../attachments/upload-attachment.route';
import { ATTACHMENT_IDS_400, ATTACHMENT_IDS_DOC } from '../attachments/attachment-ids';
import { AttachmentUploaded } from './schemas/attachment.schemas';
import { GetCaseEventsRoute } from '../cases/get-case-events/get-case-events.route';
import { GetCaseRoute } from '../cases/get-case/get-case.route';
import { ListCasesDto, ListCasesRoute } from '../cases/list-cases/list-cases.route';
import { ReassignDto, ReassignRoute } from '../cases/reassign/reassign.route';
import { RespondDto, RespondRoute } from '../cases/respond/respond.route';
import { ReviewDto, ReviewRoute } from '../cases/review/review.route';
import { TransferDto, TransferRoute } from '../cases/transfer/transfer.route';
import { UrgeDto, UrgeRoute } from '../cases/urge/urge.route';
import { WithdrawDto, WithdrawRoute } from '../cases/withdraw/withdraw.route';
import { CatalogRoute } from '../catalog/catalog.route';
import { CalendarRangeDto, CalendarView, GetCalendarRoute, MAX_CALENDAR_DAYS } from '../calendar/get-calendar.route';
import { ConsoleConfig, ConsoleConfigRoute } from '../console/console-config.route';
import { AppealReviewDto, AppealReviewRoute } from '../cases/appeal-review/appeal-review.route';
import { DecideAppealDto, DecideAppealRoute } from '../cases/decide-appeal/decide-appeal.route';
import { DecideExtensionDto, DecideExtensionRoute } from '../cases/decide-extension/decide-extension.route';
import { DecideReturnDto, DecideReturnRoute } from '../cases/decide-return/decide-return.route';
import { RequestExtensionDto, RequestExtensionRoute } from '../cases/request-extension/request-extension.route';
import { ReturnPartDto, ReturnPartRoute } from '../cases/return-part/return-part.route';
import { AdvanceClockDto, DevClockRoute } from '../dev/clock.route';
import { HealthRoute } from '../health/health.route';
import { budgetsOf, type Budget } from '../http/rate-limit';
import { IF_MATCH, TOKEN } from '../http/request-meta';
import { OrgsRoute } from '../orgs/orgs.route';
import { ExplainScorecardRoute } from '../scorecards/explain-scorecard/explain-scorecard.route';
import { GetDepartmentScorecardRoute } from '../scorecards/get-department-scorecard/get-department-scorecard.route';
import { ListScorecardsRoute } from '../scorecards/list-scorecards/list-scorecards.route';
import { ListScorecardsDto, ScorecardPeriodDto } from '../scorecards/scorecard-params';
import { MAX_PERIOD_DAYS } from '../scorecards/scorecard.service';
import { describeDto } from './from-validators';
import { OpenApiRoute } from './openapi.route';
import { CaseView, CatalogView, ClockNow, DevToken, InboxPage, OrgView, Problem } from './schemas/case.schemas';
import { AuditPage } from './schemas/audit.schemas';
import { EVENT_RECORDS } from './schemas/event.schemas';
import { Health, HealthLive, HealthStatus, HealthUnavailable } from './schemas/health.schemas';
import { MetricsRoute } from '../observability/metrics.route';
import { DepartmentScorecard, Scorecard, ScorecardExplanation } from './schemas/scorecard.schemas';
import { ListPoliciesRoute } from '../policies/list-policies/list-policies.route';
import { PolicyList } from './schemas/policy.schemas';

/**
 * What each route answers, in @nestjs/swagger's decorators. They are applied here rather than on the route files so
 * the routes stay one use case each; a renamed route or handler fails the typecheck here, and the e2e suite fails on
 * any served route this table does not describe.
 */

export const TAGS = [
  { name: 'cases', description: '吹哨 and the case lifecycle: 报到, 转办, 办结, 一事一评, 督办, 全程留痕' },
  { name: 'attachments', description: '现场照片 and documents: evidence filed with notes, completions, extension requests, returns and appeals' },
  { name: 'scorecards', description: '以下评上: department scorecards for the assessment office (scoring.md)' },
  { name: 'audit', description: '等保 audit trail: every refused request (401/403/404/409/412/422/429 …), for the command centre' },
  { name: 'directory', description: 'The org directory and the whistle catalogue (吹哨清单): public; the county’s working calendar' },
  { name: 'service', description: 'Health, metrics and this document: public (health details and production metrics for operators)' },
  { name: 'development', description: 'Development mode only (absent in production)' },
] as const;
type Tag = (typeof TAGS)[number]['name'];

/** The response classes the operations refer to, for the document's components. */
export const MODELS = new Set<Function>();
const ref = (type: Function) => {
  MODELS.add(type);
  return { $ref: getSchemaPath(type) };
};
const json = (type: Function) => ({ 'application/json': { schema: ref(type) } });
const header = (description: string, schema: object = { type: 'string' }) => ({ description, schema });

const RETRY_AFTER = { 'Retry-After': header('Seconds to wait before retrying', { type: 'integer', minimum: 1, example: 1 }) };
const ETAG: HeadersObject = { ETag: header('The case version (`"<version>"`): send it back as If-Match', { type: 'string', example: '"3"' }) };
const REPLAYED: HeadersObject = {
  'Idempotent-Replayed': header('`true` when this is the first answer to an earlier request with the same Idempotency-Key', { type: 'string', enum: ['true'] }),
};

/** The problems (application/problem+json) each status stands for; an operation may say more precisely why. */
const PROBLEMS: Record<number, { description: string; headers?: HeadersObject }> = {
  400: { description: 'REQUEST.INVALID: a body field, query parameter or header is invalid, or an unknown one was sent; `errors` names each field' },
  401: {
    description: 'AUTH.UNAUTHENTICATED: no bearer token, or an invalid or expired one',
    headers: { 'WWW-Authenticate': header('`Bearer`', { type: 'string', example: 'Bearer' }) },
  },
  403: { description: 'CASE.FORBIDDEN or CASE.NOT_PART_HOLDER: the caller’s org may not do this to this case' },
  404: { description: 'CASE.NOT_FOUND: no such case, or one the caller may not see (the same answer)' },
  409: {
    description:
      'CASE.INVALID_STATE: not allowed in the case’s or part’s current state; CASE.CONCURRENCY_CONFLICT: the case kept changing, nothing was written',
  },
  412: { description: 'CASE.PRECONDITION_FAILED: If-Match does not match the case’s version' },
  413: { description: 'REQUEST.TOO_LARGE: the body is over 256 kB' },
  415: {
    description:
      'REQUEST.UNSUPPORTED_MEDIA_TYPE: the body is not application/json in UTF-8 (or names no Content-Type), or has a Content-Encoding the API does not read',
  },
  422: { description: 'IDEMPOTENCY.KEY_REUSED: this Idempotency-Key was used with a different request' },
  429: {
    description: 'RATE_LIMITED: a budget of this route is spent for the window (RATE_LIMIT_WINDOW_S); retry after Retry-After seconds',
    headers: RETRY_AFTER,
  },
  503: { description: 'CALENDAR.YEAR_NOT_COVERED: a deadline falls in a year the working calendar has no data for (the county must load it)' },
};

type Problems = (number | [number, string] | [number, string, HeadersObject])[];

/** What each budget of http/rate-limit.ts counts, for the 429 of the routes it covers. */
const BUDGETS: Record<Budget, string> = {
  ip: 'requests from the client’s IP (RATE_LIMIT_IP)',
  'refused-tokens': 'refused tokens from the client’s IP (RATE_LIMIT_IP)',
  'user-reads': 'the caller’s reads (RATE_LIMIT_USER_READS)',
  'user-commands': 'the caller’s commands (RATE_LIMIT_USER_COMMANDS)',
  org: 'the requests of the caller’s org (RATE_LIMIT_ORG)',
  heavy: 'the caller’s heavy reads, every request here (RATE_LIMIT_HEAVY)',
  'heavy-with-as-of': 'the caller’s heavy reads, requests here with asOf, policy or a non-JSON format (RATE_LIMIT_HEAVY)',
};

const TIMED_OUT = 'REQUEST.TIMED_OUT: no answer within HTTP_ANSWER_TIMEOUT_MS; retry after Retry-After seconds';

/**
 * The operation's problems; the 429 of the rate limits covering the route is stated for every route they cover, and
 * the 503 of the answer deadline (http/timeouts.ts) for every route whose 503 is not documented otherwise.
 */
function problems(list: Problems, budgets: Budget[], own503: boolean): MethodDecorator[] {
  const limited: Problems = budgets.length ? [[429, `${PROBLEMS[429].description}. Counted per window: ${budgets.map((b) => BUDGETS[b]).join('; ')}`]] : [];
  const listed = list.some((entry) => (Array.isArray(entry) ? entry[0] : entry) === 503);
  const timedOut: Problems = own503 || listed ? [] : [[503, TIMED_OUT, RETRY_AFTER]];
  return [...list, ...limited, ...timedOut].map((entry) => {
    const [status, description, headers] = Array.isArray(entry) ? entry : [entry];
    const base = PROBLEMS[status];
    return ApiResponse({
      status,
      description: status === 503 && !timedOut.length ? `${description ?? base.description}; ${TIMED_OUT}` : (description ?? base.description),
      headers: { ...base.headers, ...(status === 503 ? RETRY_AFTER : {}), ...headers },
      content: { 'application/problem+json': { schema: ref(Problem) } },
    } as ApiResponseOptions);
  });
}

interface OperationDoc {
  id: string;
  tag: Tag;
  summary: string;
  description?: string;
  responses: ApiResponseOptions[];
  problems?: Problems;
  extra?: MethodDecorator[];
}

/** Documents one route handler; `method` is checked against the controller's prototype by the compiler. */
function operation<T>(controller: Type<T>, method: keyof T & string, doc: OperationDoc): void {
  const descriptor = Object.getOwnPropertyDescriptor(controller.prototype, method)!;
  const decorate = applyDecorators(
    ApiTags(doc.tag),
    ApiOperation({ operationId: doc.id, summary: doc.summary, description: doc.description }),
    ...doc.responses.map((r) => ApiResponse(r)),
    ...problems(
      doc.problems ?? [],
      budgetsOf(controller, descriptor.value as Function),
      doc.responses.some((r) => (r as { status?: unknown }).status === 503),
    ),
    ...(doc.extra ?? []),
  );
  decorate(controller.prototype as object, method, descriptor);
  OPERATIONS.set(descriptor.value as Function, doc.id);
}

/** Handler → operationId, for every operation this table documents. */
export const OPERATIONS = new Map<Function, string>();

const caseId = ApiParam({
  name: 'caseId',
  description: 'The case (UUID); anything else is answered 404 like an unknown case',
  schema: { type: 'string', format: 'uuid' },
});
const departmentId = ApiParam({
  name: 'departmentId',
  description: 'A department of the caller’s county',
  schema: { type: 'string', example: 'dept-ecology' },
});
const commandHeaders = [
  ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Same key and body again: the first answer, nothing appended. Same key, another body: 422.',
    schema: { type: 'string', pattern: TOKEN.source, example: 'wf-20260302-0001' },
  }),
  ApiHeader({
    name: 'If-Match',
    required: false,
    description: 'The ETag of the case the client saw; 412 if the case has moved on',
    schema: { type: 'string', pattern: IF_MATCH.source, example: '"3"' },
  }),
  ApiHeader({
    name: 'X-Correlation-Id',
    required: false,
    description: "Recorded on every event the request causes; a value outside the pattern is replaced by the traceparent's trace id, or a new id",
    schema: { type: 'string', pattern: TOKEN.source, example: 'wf-20260302-0001' },
  }),
  ApiHeader({
    name: 'traceparent',
    required: false,
    description:
      'W3C Trace Context: recorded on every event the request causes and passed on to Kafka (ce_traceparent); its trace id is the correlation id when no X-Correlation-Id is sent. An invalid value is ignored, not refused.',
    schema: { type: 'string', example: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
  }),
];
const body = (type: Function, examples: Record<string, { summary: string; value: object }>) =>
  ApiBody({ type, required: true, examples } as Parameters<typeof ApiBody>[0]);
const caseOk = (status: number, description: string, headers: HeadersObject = ETAG) => ({ status, description, headers, content: json(CaseView) });
const COMMAND_PROBLEMS: Problems = [400, 401, 403, 404, 409, 412, 413, 415, 422];

let described = false;

/** Applies the table once per process: decorators attach to the classes, which every app instance shares. */
export function describeOperations(): void {
  if (described) return;
  described = true;
  describeDto(BlowWhistleDto, {
    title: { description: 'What the problem is, in a line', example: '东坝河段不明排污口' },
    description: { example: '群众反映东坝河河滨路段有排污口夜间排放黑水，疑似周边作坊偷排。' },
    category: {
      description: 'Required unless matterCode is given (the catalogue matter’s category applies; if given, it must be that one)',
      example: 'joint_enforcement',
    },
    departmentIds: {
      description: 'The departments to report in; required unless matterCode is given (the matter’s departments apply)',
      example: ['dept-ecology', 'dept-water'],
    },
    matterCode: { description: 'A matter of the whistle catalogue (GET /v1/catalog)', example: 'EE-001' },
    sourceRef: { description: 'The case’s id in another system (e.g. a 12345 hotline ticket)', example: '12345-20260302-0017' },
    leadDepartmentId: { description: '牵头: the lead department, one of the departments (default: the first)', example: 'dept-ecology' },
  });
  describeDto(LocationDto, {
    address: { example: '东坝镇河滨路12号' },
    grid: { description: '网格', example: '东坝-03网格' },
    lat: { example: 32.58 },
    lng: { example: 105.22 },
  });
  describeDto(RespondDto, { note: { example: '已报到，今日到现场' } });
  describeDto(TransferDto, {
    toDepartmentId: { description: 'Another department of the county', example: 'dept-enforcement' },
    reason: { example: '城区管网错接，属执法局职责' },
  });
  describeDto(CompleteDto, {
    result: { example: '已取样送检，责令停止排放' },
    attachmentIds: ATTACHMENT_IDS_DOC,
  });
  describeDto(AddNoteDto, {
    text: { example: '已与河长办沟通，明日联合巡查' },
    attachmentIds: ATTACHMENT_IDS_DOC,
  });
  describeDto(ReviewDto, {
    departmentId: { description: 'The department whose completed part is reviewed', example: 'dept-ecology' },
    resolved: { description: 'false sends the part back (退回重办) while rework rounds remain', example: true },
    satisfaction: { example: 'satisfied' },
    comment: { example: '排污口已封堵，群众满意' },
  });
  describeDto(WithdrawDto, { reason: { example: '群众已自行协商解决' } });
  describeDto(UrgeDto, { departmentId: { description: 'The department holding the part', example: 'dept-water' }, note: { example: '请立即报到' } });
  describeDto(ReassignDto, {
    fromDepartmentId: { description: 'The department holding the part now', example: 'dept-water' },
    toDepartmentId: { description: 'Another department of the county; its clocks start anew', example: 'dept-emergency' },
    reason: { example: '险情升级，改派应急管理局' },
  });
  describeDto(RequestExtensionDto, {
    reason: { example: '水样送省级实验室检测，需等待报告' },
    workingDays: { description: 'Working days asked for', example: 3 },
    attachmentIds: ATTACHMENT_IDS_DOC,
  });
  describeDto(DecideExtensionDto, {
    departmentId: { description: 'The department whose part has a pending request', example: 'dept-ecology' },
    approved: { example: true },
    workingDays: {
      description: 'Approved only: days granted, at most those asked (default: as asked); the deadline moves on the working calendar from the current one',
      example: 2,
    },
    note: { example: '同意延期2个工作日' },
  });
  describeDto(ReturnPartDto, {
    reason: { example: '职能不符：该排污口属城区管网，归执法局' },
    suggestedDepartmentId: { description: 'A department of the county the part should go to', example: 'dept-enforcement' },
    attachmentIds: ATTACHMENT_IDS_DOC,
  });
  describeDto(DecideReturnDto, {
    departmentId: { description: 'The department that returned its part', example: 'dept-water' },
    upheld: {
      description: 'true: misrouted, reassigned to toDepartmentId (clocks start at the decision); false: back to the department, its clocks still running',
      example: true,
    },
    toDepartmentId: { description: 'Required when upheld: another department of the county', example: 'dept-enforcement' },
    note: { example: '退单属实，改派执法局' },
  });
  describeDto(AppealReviewDto, {
    departmentId: { description: 'The appealing department (default: the caller’s own; only its own)', example: 'dept-ecology' },
    reason: { example: '评价时整改期限未到' },
    attachmentIds: ATTACHMENT_IDS_DOC,
  });
  describeDto(DecideAppealDto, {
    departmentId: { description: 'The department whose appeal is decided', example: 'dept-ecology' },
    upheld: { description: 'true: the appealed review is void for scoring from this instant', example: true },
    note: { example: '申诉成立，该评价不计入考核' },
  });
  describeDto(DevTokenDto, {
    orgId: { description: 'An org of the directory (GET /v1/orgs)', example: 'twp-dongba' },
    userId: { description: 'Default `<orgId>-demo`', example: 'wang.fang' },
  });
  describeDto(AdvanceClockDto, { minutes: { example: 31 } });
  describeDto(ListCasesDto, {
    status: { example: 'open' },
    departmentId: { description: 'Cases with a part held by this department', example: 'dept-ecology' },
    townshipId: { description: 'Cases raised by this township', example: 'twp-dongba' },
    raisedFrom: { description: 'Raised at or after (ISO-8601)', example: '2026-03-01T00:00:00+08:00' },
    raisedTo: { description: 'Raised before (ISO-8601)', example: '2026-04-01T00:00:00+08:00' },
    q: { description: 'Substring of the title or description', example: '排污' },
    overdue: { description: 'Some running clock is past its deadline now', example: true },
    escalation: { description: 'Highest watcher rung on any part (提醒/催办/督办)', example: 'escalated' },
    pending: {
      description: 'Cases with a part awaiting a decision: extension (延期 to approve), return (退单 to decide), appeal (申诉 to rule on)',
      example: 'extension',
    },
    limit: { description: 'Page size (default 20)', example: 20 },
    cursor: { description: 'nextCursor of the previous page' },
    minPosition: {
      description:
        'Wait until the inbox has applied this store position (the `position` of a command response); 503 if it does not in time, 400 if the store has no such position',
      example: 1287,
    },
  });
  describeDto(ScorecardPeriodDto, {
    from: { description: 'First local date (county time zone) of the period [from, to)', example: '2026-11-01' },
    to: { description: `The local date after the period; at most ${MAX_PERIOD_DAYS} days after from`, example: '2026-12-01' },
    asOf: {
      description: 'The instant described (default now): only events recorded by then count; in the future: 400. Send + as %2B.',
      example: '2026-11-30T16:00:00.000Z',
    },
    policy: {
      description: 'Re-score the same facts under this policy version, a what-if included (GET /v1/policies lists them; default: the one in force at asOf)',
      example: 'what-if-40-30-30',
    },
  });
  describeDto(ListScorecardsDto, {
    countyId: { description: 'Default and only allowed value: the caller’s county', example: 'county-qingchuan' },
    format: {
      description:
        'Overrides Accept (text/csv gives csv). `csv`: the machine CSV (field names, unrounded fractions). For clerks, `xlsx` ' +
        '(Excel) and `csv-zh` (the same content as CSV, UTF-8 with BOM): Chinese headers, rates as percentages with one decimal, a header ' +
        'block with the period, asOf and policy version, the reason each unranked department is not ranked, and a legend',
      example: 'xlsx',
    },
  });
  describeDto(CalendarRangeDto, {
    from: { description: 'The first local date (county time zone)', example: '2026-09-28' },
    to: { description: `The last local date, included; not before from, at most ${MAX_CALENDAR_DAYS} days from it`, example: '2026-10-12' },
  });
  describeDto(ListAuditDto, {
    from: { description: 'Start (inclusive): a date (00:00 UTC) or an ISO-8601 instant; default 7 days before to. Send + as %2B.', example: '2026-12-01' },
    to: { description: `End (exclusive), date or instant; default: now. At most ${MAX_AUDIT_DAYS} days after from.`, example: '2026-12-04T00:00:00Z' },
    orgId: { description: 'Only refusals of this org’s callers', example: 'twp-longquan' },
    outcome: { description: 'Only this problem code', example: 'CASE.NOT_FOUND' },
    cursor: { description: 'nextCursor of the previous page (CSV: the X-Next-Cursor header)' },
    limit: {
      description: `Items per page: JSON default ${AUDIT_LIMIT.json.default}, at most ${AUDIT_LIMIT.json.max}; CSV default and at most ${AUDIT_LIMIT.csv.max}`,
      example: 100,
    },
    format: { description: '`csv`: UTF-8 CSV with a header row (a heavy read)', example: 'json' },
  });

  operation(OrgsRoute, 'list', {
    id: 'listOrgs',
    tag: 'directory',
    summary: 'The org directory: townships, departments, the command centre and the assessment office',
    responses: [{ status: 200, description: 'Every org', content: { 'application/json': { schema: { type: 'array', items: ref(OrgView) } } } }],
  });
  operation(CatalogRoute, 'list', {
    id: 'getCatalog',
    tag: 'directory',
    summary: '吹哨清单: the matters a township may whistle for, with their departments and time limits',
    responses: [{ status: 200, description: 'The catalogue in force', content: json(CatalogView) }],
  });
  operation(GetCalendarRoute, 'get', {
    id: 'getCalendar',
    tag: 'directory',
    summary: 'The working calendar of the caller’s county: working hours, and per date working or not, holiday, 调休, provisional',
    description:
      'What deadlines are counted on (the calendar in force with the county’s overlay), so a client can count working time exactly: ' +
      'working time is inside workingHours on the days with working: true. A provisional year is derived from the statutory holidays ' +
      'and is re-based when its official arrangement is loaded.',
    responses: [{ status: 200, description: 'The range’s days', content: json(CalendarView) }],
    problems: [
      [
        400,
        `REQUEST.INVALID: from or to not a date YYYY-MM-DD, to before from, over ${MAX_CALENDAR_DAYS} days, a year the calendar does not cover, or an unknown parameter; \`errors\` names each`,
      ],
      401,
    ],
  });
  const readiness = {
    responses: [
      {
        status: 200,
        description: 'The store answers. Anyone: the status only. The command centre (its bearer token) or the operator (OPERATOR_TOKEN): the details too',
        content: { 'application/json': { schema: { anyOf: [ref(HealthStatus), ref(Health)] } } },
      },
      { status: 503, description: 'The event store does not answer', content: json(HealthUnavailable) },
    ],
  };
  operation(HealthRoute, 'ready', {
    id: 'getReadiness',
    tag: 'service',
    summary: 'Readiness: the store answers; details (store head, read-model lag and generations, calendar coverage) for the command centre or the operator',
    ...readiness,
  });
  operation(HealthRoute, 'health', {
    id: 'getHealth',
    tag: 'service',
    summary: 'The same as /v1/health/ready (readiness; details for the command centre or the operator)',
    ...readiness,
  });
  operation(HealthRoute, 'live', {
    id: 'getLiveness',
    tag: 'service',
    summary: 'Liveness: the process answers HTTP (nothing else is looked at)',
    responses: [{ status: 200, description: 'Alive', content: json(HealthLive) }],
  });
  operation(MetricsRoute, 'scrape', {
    id: 'getMetrics',
    tag: 'service',
    summary: 'Prometheus metrics (text format): open in development; in production only with OPERATOR_TOKEN, and not here at all when METRICS_PORT is set',
    responses: [
      {
        status: 200,
        description: 'The metrics',
        content: { 'text/plain': { schema: { type: 'string', example: 'chuishao_http_requests_total{method="GET",route="/v1/cases",status="200"} 3' } } },
      },
    ],
    problems: [[401, 'AUTH.UNAUTHENTICATED: production, and the request does not send Authorization: Bearer <OPERATOR_TOKEN>']],
  });
  operation(OpenApiRoute, 'get', {
    id: 'getOpenApiDocument',
    tag: 'service',
    summary: 'This document (OpenAPI 3.1); the interactive reference is at /docs',
    responses: [
      {
        status: 200,
        description: 'The OpenAPI document',
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['openapi', 'info', 'paths'],
              properties: { openapi: { type: 'string', example: '3.1.0' }, info: { type: 'object' }, paths: { type: 'object' } },
            },
          },
        },
      },
    ],
  });
  operation(ConsoleConfigRoute, 'get', {
    id: 'getConsoleConfig',
    tag: 'service',
    summary: 'The web console’s settings: how to sign in (dev org picker or OIDC issuer and client), and the server’s time',
    responses: [{ status: 200, description: 'The settings', content: json(ConsoleConfig) }],
  });
  operation(DevTokensRoute, 'issue', {
    id: 'issueDevToken',
    tag: 'development',
    summary: 'A bearer token for any org of the directory (development mode only)',
    responses: [{ status: 201, description: 'The token', content: json(DevToken) }],
    problems: [[400, 'REQUEST.INVALID: invalid body, or orgId is not an org of the directory'], 413, 415],
    extra: [body(DevTokenDto, { township: { summary: '东坝镇, 王芳', value: { orgId: 'twp-dongba', userId: 'wang.fang' } } })],
  });
  operation(DevClockRoute, 'advance', {
    id: 'advanceDevClock',
    tag: 'development',
    summary: 'Move the server’s time forward (CLOCK=simulated in development only)',
    responses: [{ status: 200, description: 'The new server time', content: json(ClockNow) }],
    problems: [400, 413, 415],
    extra: [body(AdvanceClockDto, { past_emergency_limit: { summary: 'Past an emergency’s 30-minute limit', value: { minutes: 31 } } })],
  });

  operation(BlowWhistleRoute, 'blow', {
    id: 'blowWhistle',
    tag: 'cases',
    summary: '吹哨: a township raises a case to one or more departments',
    description:
      'Each named department gets a part with its own clocks (报到 and 办结 deadlines from the catalogue matter or the category, on the working calendar).',
    responses: [
      caseOk(201, 'The new case', {
        ...ETAG,
        Location: header('/v1/cases/{caseId}', { type: 'string', example: '/v1/cases/0b9c2f9e-6d1a-4f3e-9a57-3d2e1c0b8a41' }),
      }),
    ],
    problems: [
      [400, 'REQUEST.INVALID: invalid body, a department that is not one of the county’s, or a matterCode not in the catalogue'],
      401,
      [403, 'CASE.FORBIDDEN: only a township blows the whistle'],
      413,
      415,
      422,
      503,
    ],
    extra: [
      ...commandHeaders,
      body(BlowWhistleDto, {
        departments: {
          summary: 'Naming the departments',
          value: {
            title: '东坝河段不明排污口',
            description: '群众反映东坝河河滨路段有排污口夜间排放黑水，疑似周边作坊偷排。',
            category: 'joint_enforcement',
            departmentIds: ['dept-ecology', 'dept-water'],
            location: { address: '东坝镇河滨路12号', grid: '东坝-03网格', lat: 32.58, lng: 105.22 },
          },
        },
        matter: {
          summary: 'A catalogue matter (its category and departments apply)',
          value: { title: '东坝河段企业偷排', description: '河滨路段作坊夜间偷排废水。', matterCode: 'EE-001', location: { address: '东坝镇河滨路12号' } },
        },
      }),
    ],
  });
  operation(ListCasesRoute, 'list', {
    id: 'listCases',
    tag: 'cases',
    summary: 'The caller’s inbox (read model), newest first, cursor-paged',
    description:
      'A township sees the cases it raised, a department those it holds or held a part of, the command centre and the assessment office all of the county. Unknown query parameters are refused (400).',
    responses: [{ status: 200, description: 'One page of cases', content: json(InboxPage) }],
    problems: [
      [400, 'REQUEST.INVALID: an invalid or unknown query parameter, a cursor this API did not issue, or a minPosition beyond the store'],
      401,
      [503, 'READ_MODEL.BEHIND: the inbox has not applied minPosition in time; retry', RETRY_AFTER],
    ],
  });
  operation(GetCaseRoute, 'get', {
    id: 'getCase',
    tag: 'cases',
    summary: 'One case, always current (read from its events)',
    responses: [caseOk(200, 'The case')],
    problems: [401, 404],
    extra: [caseId],
  });
  operation(GetCaseEventsRoute, 'get', {
    id: 'getCaseEvents',
    tag: 'cases',
    summary: '全程留痕: every event of the case in order, who did it and when',
    responses: [
      {
        status: 200,
        description: 'The case’s events, oldest first',
        content: {
          'application/json': {
            schema: {
              type: 'array',
              items: {
                oneOf: EVENT_RECORDS.map(ref),
                discriminator: {
                  propertyName: 'type',
                  mapping: Object.fromEntries(EVENT_RECORDS.map((r) => [r.name.replace(/Event$/, ''), getSchemaPath(r)])),
                },
              },
            },
          },
        },
      },
    ],
    problems: [401, 404],
    extra: [caseId],
  });

  const command = <T>(
    route: Type<T>,
    method: keyof T & string,
    id: string,
    summary: string,
    dto: Function,
    example: object,
    extra: Partial<OperationDoc> = {},
  ) =>
    operation(route, method, {
      id,
      tag: 'cases',
      summary,
      responses: [caseOk(200, 'The case after the command', { ...ETAG, ...REPLAYED })],
      problems: COMMAND_PROBLEMS,
      ...extra,
      extra: [caseId, ...commandHeaders, body(dto, { example: { summary: '示例', value: example } })],
    });
  command(RespondRoute, 'respond', 'respondToCase', '报到: the department holding a part reports in', RespondDto, { note: '已报到，今日到现场' });
  command(
    TransferRoute,
    'transfer',
    'transferCase',
    '转办: the holding department passes its part to another department, with a reason',
    TransferDto,
    { toDepartmentId: 'dept-enforcement', reason: '城区管网错接，属执法局职责' },
    { problems: [[400, 'REQUEST.INVALID: invalid body, or toDepartmentId is not a department of the county'], 401, 403, 404, 409, 412, 413, 415, 422, 503] },
  );
  command(CompleteRoute, 'complete', 'completeHandling', '办结: the holding department reports its part handled', CompleteDto, {
    result: '已取样送检，责令停止排放',
  });
  command(
    ReviewRoute,
    'review',
    'reviewHandling',
    '一事一评: the raising township reviews a completed part; unresolved sends it back (退回重办)',
    ReviewDto,
    { departmentId: 'dept-ecology', resolved: false, satisfaction: 'dissatisfied', comment: '排污口仍在排放' },
    { problems: [...COMMAND_PROBLEMS, 503] },
  );
  command(WithdrawRoute, 'withdraw', 'withdrawCase', 'The raising township withdraws an open case, with a reason', WithdrawDto, {
    reason: '群众已自行协商解决',
  });
  command(UrgeRoute, 'urge', 'urgeDepartment', '督办: the command centre formally urges the department holding a part', UrgeDto, {
    departmentId: 'dept-water',
    note: '请立即报到',
  });
  command(
    ReassignRoute,
    'reassign',
    'reassignPart',
    '督办: the command centre moves a part to another department, whose clocks start anew',
    ReassignDto,
    { fromDepartmentId: 'dept-water', toDepartmentId: 'dept-emergency', reason: '险情升级，改派应急管理局' },
    { problems: [[400, 'REQUEST.INVALID: invalid body, or toDepartmentId is not a department of the county'], 401, 403, 404, 409, 412, 413, 415, 422, 503] },
  );

  const WORKFLOW_PROBLEMS: Problems = [
    [400, 'REQUEST.INVALID: invalid body, or a department that is not one of the county’s'],
    401,
    [403, 'CASE.FORBIDDEN / CASE.NOT_PART_HOLDER: not this role’s move, or not the caller’s part'],
    [404, 'CASE.NOT_FOUND: no such case, or one the caller may not see'],
    [
      409,
      'CASE.INVALID_STATE (not in a state for it), CASE.LIMIT_REACHED (one pending at a time, maxExtensions, one appeal per review), CASE.WINDOW_CLOSED (appeal window over), or a concurrency conflict',
    ],
    412,
    413,
    415,
    422,
    503,
  ];
  /** The requests (延期, 退单, 申诉) may carry files: their 400 also names an attachmentId the caller may not name. */
  const EVIDENCE_WORKFLOW_PROBLEMS: Problems = [
    [
      400,
      'REQUEST.INVALID: invalid body, a department that is not one of the county’s, or an attachmentId that is not an upload of the caller’s org (named by its field)',
    ],
    ...WORKFLOW_PROBLEMS.slice(1),
  ];
  command(
    RequestExtensionRoute,
    'request',
    'requestExtension',
    '延期: the department holding a reported-in part asks for more working days',
    RequestExtensionDto,
    { reason: '水样送省级实验室检测，需等待报告', workingDays: 3 },
    { problems: EVIDENCE_WORKFLOW_PROBLEMS },
  );
  command(
    DecideExtensionRoute,
    'decide',
    'decideExtension',
    '延期审批: the command centre approves (possibly fewer days) or refuses a pending extension',
    DecideExtensionDto,
    { departmentId: 'dept-ecology', approved: true, workingDays: 2, note: '同意延期2个工作日' },
    { problems: WORKFLOW_PROBLEMS },
  );
  command(
    ReturnPartRoute,
    'return',
    'returnPart',
    '退单: the department returns a part it has not completed to the command centre; its clocks keep running',
    ReturnPartDto,
    { reason: '职能不符：该排污口属城区管网，归执法局', suggestedDepartmentId: 'dept-enforcement' },
    { problems: EVIDENCE_WORKFLOW_PROBLEMS },
  );
  command(
    DecideReturnRoute,
    'decide',
    'decideReturn',
    '审定: the command centre upholds a return (reassigns) or rejects it (back, clocks running)',
    DecideReturnDto,
    { departmentId: 'dept-water', upheld: true, toDepartmentId: 'dept-enforcement', note: '退单属实，改派执法局' },
    { problems: WORKFLOW_PROBLEMS },
  );
  command(
    AppealReviewRoute,
    'appeal',
    'appealReview',
    '申诉: the department appeals the latest review of its part, within the appeal window',
    AppealReviewDto,
    { reason: '评价时整改期限未到' },
    { problems: EVIDENCE_WORKFLOW_PROBLEMS },
  );
  command(
    DecideAppealRoute,
    'decide',
    'decideAppeal',
    'The assessment office decides an appeal (its only write); upheld voids the review for scoring',
    DecideAppealDto,
    { departmentId: 'dept-ecology', upheld: true, note: '申诉成立，该评价不计入考核' },
    { problems: WORKFLOW_PROBLEMS },
  );

  command(
    AddNoteRoute,
    'add',
    'addNote',
    'A note on the case (协调记录) by the raising township, a department that holds or held a part, or the command centre; with files it uploaded',
    AddNoteDto,
    { text: '已与河长办沟通，明日联合巡查' },
    {
      description:
        'The note and its files appear in GET /v1/cases/{caseId}/events (NoteAdded). A file must be an upload of the caller’s org; ' +
        'naming it makes it readable by everyone who may see the case. The assessment office only reads (403).',
      problems: [[400, ATTACHMENT_IDS_400], 401, 403, 404, 409, 412, 413, 415, 422],
    },
  );

  operation(UploadAttachmentRoute, 'upload', {
    id: 'uploadAttachment',
    tag: 'attachments',
    summary: 'Upload one evidence file (JPEG, PNG or WebP up to 10 MB; PDF up to 20 MB), checked by its content',
    description:
      'multipart/form-data with exactly one part: the file, in the field `file`. The type is decided by the file’s magic bytes, never by its name ' +
      'or declared type. The content is stored once per SHA-256; each upload gets its own id and records who uploaded it. Until a note or completion ' +
      'names it, only the uploader’s org can read it back.',
    responses: [{ status: 201, description: 'The stored upload', content: json(AttachmentUploaded) }],
    problems: [
      [400, 'REQUEST.INVALID: no file, an empty file, a second file or any other field (`errors` names `file`)'],
      401,
      [413, 'REQUEST.TOO_LARGE: a photo over 10 MB, a PDF over 20 MB (or a body over 20 MB)'],
      [415, 'REQUEST.UNSUPPORTED_MEDIA_TYPE: the body is not multipart/form-data, or the file is not a JPEG, PNG, WebP or PDF by its content'],
    ],
    extra: [
      ApiConsumes('multipart/form-data'),
      ApiBody({
        required: true,
        schema: {
          type: 'object',
          required: [FILE_FIELD],
          additionalProperties: false,
          properties: { [FILE_FIELD]: { type: 'string', format: 'binary', description: 'The file (its name is kept as fileName)' } },
        },
      }),
    ],
  });
  const binary = { schema: { type: 'string', format: 'binary' } };
  operation(GetAttachmentRoute, 'get', {
    id: 'getAttachment',
    tag: 'attachments',
    summary: 'Download an evidence file, with exactly the type its content was checked to be',
    description:
      'Answered to whoever may see a case whose note or completion names the file, or, while none does, to the uploader’s org; 404 to everyone else. ' +
      'Served with `X-Content-Type-Options: nosniff`; images with a plain name inline, everything else as an attachment.',
    responses: [
      {
        status: 200,
        description: 'The file’s bytes',
        headers: {
          'Content-Disposition': header('`inline` (images with a plain name) or `attachment`, with the file name', {
            type: 'string',
            example: 'inline; filename="photo.jpg"; filename*=UTF-8\'\'photo.jpg',
          }),
          'X-Content-Type-Options': header('`nosniff`', { type: 'string', enum: ['nosniff'] }),
          ETag: header('The SHA-256 of the content, quoted', { type: 'string' }),
        },
        content: { 'image/jpeg': binary, 'image/png': binary, 'image/webp': binary, 'application/pdf': binary },
      },
    ],
    problems: [401, [404, 'ATTACHMENT.NOT_FOUND: no such file, or one the caller may not read (the same answer)']],
    extra: [
      ApiParam({ name: 'attachmentId', description: 'The upload’s id (UUID); anything else is answered 404', schema: { type: 'string', format: 'uuid' } }),
    ],
  });

  operation(ListAuditRoute, 'list', {
    id: 'listAudit',
    tag: 'audit',
    summary: 'The audit trail of refused requests: who, when, from where, which route and case, with what outcome (the command centre only)',
    description:
      'Every 4xx answer on a route that needs a token is recorded in the event store (streams `audit-refusals-<UTC day>`, append-only): ' +
      'a missing or refused token (401), a role or org that may not (403), a case the caller may not see (404), conflicts (409), ' +
      'If-Match mismatches (412), reused idempotency keys (422), rate limits (429) and invalid requests (400). Above a caller’s ' +
      'per-minute allowance the rest of its refusals in that minute are counted, per outcome, in one `aggregate` item. The caller’s county ' +
      'and callers without a valid token are shown.',
    responses: [
      {
        status: 200,
        description: 'One page. CSV (format=csv): a header row, UTF-8 with BOM; the next page’s cursor in X-Next-Cursor.',
        headers: { 'X-Next-Cursor': header('CSV only: cursor of the next page, absent on the last', { type: 'string' }) },
        content: { ...json(AuditPage), 'text/csv': { schema: { type: 'string' } } },
      },
    ],
    problems: [
      [400, 'REQUEST.INVALID: invalid from/to/orgId/outcome/cursor/limit/format (or an unknown parameter); `errors` names each'],
      401,
      [403, 'AUTH.FORBIDDEN: the caller is not the command centre'],
    ],
  });

  const SCORECARD_PROBLEMS: Problems = [
    [400, 'REQUEST.INVALID: invalid from/to/asOf/policy (or an unknown parameter); `errors` names each'],
    401,
    [503, 'READ_MODEL.BEHIND: the scoring read model has not caught up in time; retry', RETRY_AFTER],
  ];
  operation(ListScorecardsRoute, 'list', {
    id: 'listScorecards',
    tag: 'scorecards',
    summary: '以下评上: the county’s department scorecards, ranked (JSON, CSV, or for clerks XLSX and a Chinese CSV)',
    responses: [
      {
        status: 200,
        description:
          'The scorecard. CSV (format=csv, or Accept: text/csv): a header row of the field names, UTF-8 with BOM. ' +
          'format=csv-zh: the clerk CSV (text/csv, UTF-8 with BOM); format=xlsx: the clerk workbook (one sheet, the header row frozen).',
        headers: {
          'X-Scorecard-As-Of': header('Downloads only (csv, csv-zh, xlsx): the scorecard’s asOf', { type: 'string', format: 'date-time' }),
          'X-Scorecard-Policy-Version': header('Downloads only: the scoring policy it was computed with', { type: 'string', example: 'scoring-2026.1' }),
          'Content-Disposition': header('Downloads only: `attachment` with an ASCII `filename` and the Chinese name as RFC 5987 `filename*` (csv-zh, xlsx)', {
            type: 'string',
            example: 'attachment; filename="scorecards-county-qingchuan-2026-11-01-2026-12-01.xlsx"; filename*=UTF-8\'\'%E9%9D%92%E5%B7%9D%E5%8E%BF...',
          }),
        },
        content: {
          ...json(Scorecard),
          'text/csv': { schema: { type: 'string' } },
          // OpenAPI 3.1 states a binary body by its media type (@nestjs/swagger's types predate contentMediaType).
          'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
            schema: { type: 'string', contentMediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } as SchemaObject,
          },
        },
      },
    ],
    problems: [
      ...SCORECARD_PROBLEMS.slice(0, 2),
      [403, 'AUTH.FORBIDDEN: scorecards are published within a county; countyId names another'],
      [404, 'SCORECARD.COUNTY_NOT_FOUND: the caller’s county is not in the directory'],
      SCORECARD_PROBLEMS[2],
    ],
  });
  operation(ListPoliciesRoute, 'list', {
    id: 'listPolicies',
    tag: 'scorecards',
    summary: 'The assessment policy’s versions: weights, ranking threshold, the limits of 延期/申诉/退单, and which one is in force',
    description:
      'From POLICY_FILE (or the bundled policy). A version without effectiveFrom is a what-if: GET /v1/scorecards?policy=<version> re-scores a period under it from the same facts; the default scorecard is unchanged.',
    responses: [{ status: 200, description: 'Every version, ordered by effectiveFrom (what-ifs last)', content: json(PolicyList) }],
    problems: [401],
  });
  operation(GetDepartmentScorecardRoute, 'get', {
    id: 'getDepartmentScorecard',
    tag: 'scorecards',
    summary: 'One department’s scorecard over the period (ranked within its county), and month by month',
    responses: [{ status: 200, description: 'The department’s row and its trend', content: json(DepartmentScorecard) }],
    problems: [
      ...SCORECARD_PROBLEMS.slice(0, 2),
      [403, 'AUTH.FORBIDDEN: a department of another county'],
      [404, 'SCORECARD.DEPARTMENT_NOT_FOUND: no such department'],
      SCORECARD_PROBLEMS[2],
    ],
    extra: [departmentId],
  });
  operation(ExplainScorecardRoute, 'explain', {
    id: 'explainScorecard',
    tag: 'scorecards',
    summary: 'Every part counted on the department’s row and what it entered (the assessment office, the command centre, the department itself)',
    responses: [{ status: 200, description: 'The row and its parts', content: json(ScorecardExplanation) }],
    problems: [
      ...SCORECARD_PROBLEMS.slice(0, 2),
      [403, 'AUTH.FORBIDDEN: another county’s department, or the caller is neither the assessment office, the command centre nor the department'],
      [404, 'SCORECARD.DEPARTMENT_NOT_FOUND: no such department'],
      SCORECARD_PROBLEMS[2],
    ],
    extra: [departmentId],
  });
}
