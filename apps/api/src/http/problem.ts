import type { FieldError } from '@chuishao/domain';

/** An error the API answers with as application/problem+json (RFC 9457). */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    detail: string,
    readonly errors?: FieldError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'Problem';
  }

  static badRequest(detail: string, errors: FieldError[]) {
    return new Problem(400, 'REQUEST.INVALID', 'Bad request', detail, errors);
  }
  static unauthenticated(detail: string) {
    return new Problem(401, 'AUTH.UNAUTHENTICATED', 'Unauthenticated', detail, undefined, { 'WWW-Authenticate': 'Bearer' });
  }
  static forbidden(detail: string) {
    return new Problem(403, 'AUTH.FORBIDDEN', 'Forbidden', detail);
  }
  static notFound(detail: string, code = 'NOT_FOUND') {
    return new Problem(404, code, 'Not found', detail);
  }
  static readModelBehind(detail: string) {
    return new Problem(503, 'READ_MODEL.BEHIND', 'Read model not caught up', detail, undefined, { 'Retry-After': '1' });
  }
}

/** The code of the 503 a request gets when its handler has not answered within HTTP_ANSWER_TIMEOUT_MS. */
export const ANSWER_TIMED_OUT = 'REQUEST.TIMED_OUT';

const ANSWERED = Symbol('problem code');
type Marked = { [ANSWERED]?: string };

/** Marks a response as answered with the problem `code` (the request's log line names it). */
export function markProblem(res: object, code: string): void {
  (res as Marked)[ANSWERED] = code;
}

/** The problem code a response was answered with, if it was a problem. */
export function problemCodeOf(res: object): string | undefined {
  return (res as Marked)[ANSWERED];
}
