import type { ArgumentsHost } from '@nestjs/common';
import { CommandConflict, IdempotencyKeyReused, PreconditionFailed } from '@chuishao/commands';
import { Invalid } from '@chuishao/domain';
import { ProblemFilter } from './problem.filter';

/** What the filter sends for an error thrown by a route. */
function sent(error: unknown): { status: number; body: Record<string, unknown> } {
  const out = { status: 0, body: {} as Record<string, unknown> };
  const res = {
    headersSent: false,
    setHeader: () => res,
    status: (s: number) => ((out.status = s), res),
    type: () => res,
    send: (text: string) => ((out.body = JSON.parse(text)), res),
  };
  const host = { switchToHttp: () => ({ getRequest: () => ({ method: 'POST', originalUrl: '/v1/cases/c/responses' }), getResponse: () => res }) };
  new ProblemFilter().catch(error, host as unknown as ArgumentsHost);
  return out;
}

describe('the error filter', () => {
  it.each([
    [new CommandConflict('case c kept changing'), 409, 'CASE.CONCURRENCY_CONFLICT', 'Concurrency conflict'],
    [new PreconditionFailed('the case is at version 3, not 2'), 412, 'CASE.PRECONDITION_FAILED', 'Precondition failed'],
    [new IdempotencyKeyReused('this Idempotency-Key was used with a different request'), 422, 'IDEMPOTENCY.KEY_REUSED', 'Idempotency key reused'],
  ])('states the command path’s %p with the status and code the API documents', (error, status, code, title) => {
    expect(sent(error)).toEqual({
      status,
      body: { type: `urn:chuishao:problem:${code}`, title, status, detail: error.message, code, instance: '/v1/cases/c/responses' },
    });
  });

  it('states a field the rules refuse as the bad request the DTO would have refused, naming the field', () => {
    const { status, body } = sent(Invalid.field('toDepartmentId', 'must be a different department'));
    expect(status).toBe(400);
    expect(body).toMatchObject({
      code: 'REQUEST.INVALID',
      title: 'Bad request',
      errors: [{ field: 'toDepartmentId', message: 'must be a different department' }],
    });
  });
});
