import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger, Optional } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CommandError, type CommandErrorCode } from '@chuishao/commands';
import { DomainError, type DomainErrorCode } from '@chuishao/domain';
import { AuditTrail } from '../audit/audit-trail';
import type { TracedRequest } from '../observability/trace-context';
import { RouteMethods } from './method-not-allowed';
import { ANSWER_TIMED_OUT, markProblem, Problem, problemCodeOf } from './problem';

/** Status, the code the API states (as documented in the OpenAPI document) and title, per library error code. */
const DOMAIN_STATUS: Record<DomainErrorCode, [number, string, string]> = {
  'CASE.NOT_FOUND': [404, 'CASE.NOT_FOUND', 'Not found'],
  'CASE.ALREADY_EXISTS': [409, 'CASE.ALREADY_EXISTS', 'Already exists'],
  'CASE.INVALID_STATE': [409, 'CASE.INVALID_STATE', 'Not allowed in the current state'],
  'CASE.FORBIDDEN': [403, 'CASE.FORBIDDEN', 'Forbidden'],
  'CASE.NOT_PART_HOLDER': [403, 'CASE.NOT_PART_HOLDER', 'Forbidden'],
  // A field the rules refuse is a bad request like one the DTO refuses: one 400 code, each field named.
  'CASE.VALIDATION': [400, 'REQUEST.INVALID', 'Bad request'],
  'CASE.LIMIT_REACHED': [409, 'CASE.LIMIT_REACHED', 'Limit reached'],
  'CASE.WINDOW_CLOSED': [409, 'CASE.WINDOW_CLOSED', 'Window closed'],
};

const COMMAND_STATUS: Record<CommandErrorCode, [number, string, string]> = {
  'COMMAND.CONFLICT': [409, 'CASE.CONCURRENCY_CONFLICT', 'Concurrency conflict'],
  'COMMAND.PRECONDITION_FAILED': [412, 'CASE.PRECONDITION_FAILED', 'Precondition failed'],
  'COMMAND.IDEMPOTENCY_KEY_REUSED': [422, 'IDEMPOTENCY.KEY_REUSED', 'Idempotency key reused'],
};

/** The one place where errors become HTTP answers. Nothing internal (stack, SQL, paths) leaves. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  constructor(
    @Optional() private readonly audit?: AuditTrail,
    @Optional() private readonly routes?: RouteMethods,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const problem = this.toProblem(exception, req);
    // Every refusal of a route that needs a token leaves a record (the audit trail of refusals).
    this.audit?.refused(req, problem);
    if (res.headersSent && problemCodeOf(res) === ANSWER_TIMED_OUT) {
      // Answered 503 at the deadline already; what the handler came to later is only worth a line.
      this.logger.warn(`${req.method} ${req.path} (correlation ${correlationOf(req)}): finished after its 503 (${problem.code})`);
      return;
    }
    if (problem.status >= 500) this.logger.error(`${req.method} ${req.path} (correlation ${correlationOf(req)}): ${describe(exception)}`);
    if (res.headersSent) return;
    sendProblem(req, res, problem);
  }

  private toProblem(exception: unknown, req: Request): Problem {
    if (exception instanceof Problem) return exception;
    if (exception instanceof DomainError) {
      const [status, code, title] = DOMAIN_STATUS[exception.code];
      return new Problem(status, code, title, exception.message, exception.fieldErrors);
    }
    if (exception instanceof CommandError) {
      const [status, code, title] = COMMAND_STATUS[exception.code];
      return new Problem(status, code, title, exception.message);
    }
    if (exception instanceof HttpException) return fromHttpException(exception, req, this.routes);
    // body-parser's own refusals (a body over the limit, an unsupported charset) are http-errors, not HttpExceptions.
    const bodyError = exception as { expose?: unknown; statusCode?: unknown; message?: string };
    if (bodyError?.expose === true && typeof bodyError.statusCode === 'number' && bodyError.statusCode >= 400 && bodyError.statusCode < 500) {
      return fromHttpException(new HttpException(bodyError.message ?? 'Bad request', bodyError.statusCode), req, this.routes);
    }
    // The working calendar has no data for the year a deadline falls in: the county must load it.
    if ((exception as { code?: string })?.code === 'CALENDAR.YEAR_NOT_COVERED') {
      return new Problem(503, 'CALENDAR.YEAR_NOT_COVERED', 'Calendar not configured', (exception as Error).message);
    }
    return new Problem(500, 'INTERNAL', 'Internal error', 'the server failed to handle the request; it has been logged');
  }
}

function fromHttpException(e: HttpException, req: Request, routes?: RouteMethods): Problem {
  const status = e.getStatus();
  const cause = (e as { cause?: unknown }).cause as { type?: string } | undefined;
  if (status === 400 && (cause?.type === 'entity.parse.failed' || /JSON/i.test(e.message))) {
    return Problem.badRequest('the request body is not valid JSON', [{ field: 'body', message: 'not valid JSON' }]);
  }
  // Nest's answer when no route matched: a served path asked with another method is a 405.
  if (status === 404) return routes?.notAllowed(req.method, req.path) ?? Problem.notFound(`no route ${req.method} ${req.path}`, 'ROUTE.NOT_FOUND');
  if (status === 413) return new Problem(413, 'REQUEST.TOO_LARGE', 'Payload too large', 'the request body is too large');
  // body-parser's refusal of a charset or Content-Encoding it cannot read: the same refusal as a type that is not JSON.
  if (status === 415) return new Problem(415, 'REQUEST.UNSUPPORTED_MEDIA_TYPE', 'Unsupported media type', `${e.message}; send application/json in UTF-8`);
  // Any other refusal of the request as sent (an aborted body, a length that does not match): the body is at fault.
  if (status === 400) return Problem.badRequest(e.message, [{ field: 'body', message: e.message }]);
  return new Problem(status, 'REQUEST.REFUSED', e.message, e.message);
}

/** Writes a problem as application/problem+json (RFC 9457): the one shape every refusal takes. */
export function sendProblem(req: Request, res: Response, problem: Problem): void {
  markProblem(res, problem.code);
  for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
  res
    .status(problem.status)
    .type('application/problem+json')
    .send(
      JSON.stringify({
        type: `urn:chuishao:problem:${problem.code}`,
        title: problem.title,
        status: problem.status,
        detail: problem.message,
        code: problem.code,
        ...(problem.errors?.length ? { errors: problem.errors } : {}),
        instance: req.originalUrl,
      }),
    );
}

const correlationOf = (req: TracedRequest) => req.trace?.correlationId ?? 'none';

function describe(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}
