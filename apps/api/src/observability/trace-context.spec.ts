import type { Request } from 'express';
import { parseTraceparent, traceContextOf } from './trace-context';

const VALID = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const req = (headers: Record<string, string>) => ({ headers }) as unknown as Request;

describe('traceparent', () => {
  it('accepts the W3C format and gives its trace id', () => {
    expect(parseTraceparent(VALID)).toEqual({ traceparent: VALID, traceId: '4bf92f3577b34da6a3ce929d0e0e4736' });
    // A later version may append fields: read as version 00's four.
    expect(parseTraceparent('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra')?.traceparent).toBe(
      '01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    );
  });

  it.each([
    ['upper case', VALID.toUpperCase()],
    ['version ff', VALID.replace(/^00/, 'ff')],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`],
    ['an all-zero parent id', `00-4bf92f3577b34da6a3ce929d0e0e4736-${'0'.repeat(16)}-01`],
    ['a short trace id', '00-4bf92f3577b34da6a3ce929d0e0e47-00f067aa0ba902b7-01'],
    ['extra fields on version 00', `${VALID}-x`],
    ['text', 'hello'],
    ['nothing', ''],
  ])('ignores %s', (_, value) => {
    expect(parseTraceparent(value)).toBeNull();
  });

  it('is the correlation id when no X-Correlation-Id is given, and recorded as given', () => {
    expect(traceContextOf(req({ traceparent: VALID }))).toEqual({ correlationId: '4bf92f3577b34da6a3ce929d0e0e4736', traceparent: VALID });
    expect(traceContextOf(req({ traceparent: VALID, 'x-correlation-id': 'case-42' }))).toEqual({ correlationId: 'case-42', traceparent: VALID });
    const bad = traceContextOf(req({ traceparent: 'not-a-trace', 'x-correlation-id': 'bad value!' }));
    expect(bad.traceparent).toBeNull();
    expect(bad.correlationId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
