import type { RecordedEvent } from '@chuishao/event-store';
import { contractValidator } from '../../../test/contracts/contract-schemas';
import { estimateBytes, toOutbound, type CaseOrigin } from './envelope';

const origin: CaseOrigin = { countyId: 'county-qingchuan', townshipId: 'twp-chengguan' };
const options = { topicPrefix: 'cs', maxMessageBytes: 10_000 };

function event(overrides: Partial<RecordedEvent> = {}): RecordedEvent {
  return {
    id: '0f3c2a4e-1111-4aaa-8bbb-123456789abc',
    type: 'DepartmentResponded',
    data: { caseId: 'c1', occurredAt: '2026-03-02T08:30:00.000Z', partId: 'p1', departmentId: 'dept-market' },
    metadata: { actor: { orgId: 'dept-market', role: 'department', userId: 'u1' }, correlationId: 'corr', causationId: 'req', schemaVersion: 1 },
    streamName: 'case-c1',
    revision: 3,
    position: 42,
    recordedAt: '2026-03-02T08:30:00.123Z',
    ...overrides,
  };
}

describe('toOutbound (the CloudEvents envelope)', () => {
  it('puts the event on its county topic, keyed by case, with every ce_ header', () => {
    const out = toOutbound(event(), origin, options);
    expect(out.deadLetter).toBeUndefined();
    expect(out.topic).toBe('cs.county-qingchuan.case-events');
    expect(out.message.key).toBe('c1');
    expect(JSON.parse(out.message.value as string)).toEqual(event().data);
    expect(out.message.headers).toEqual({
      ce_specversion: '1.0',
      ce_id: '0f3c2a4e-1111-4aaa-8bbb-123456789abc',
      ce_type: 'cn.gov.whistle.DepartmentResponded.v1',
      ce_source: '/counties/county-qingchuan/townships/twp-chengguan',
      ce_subject: 'c1',
      ce_time: '2026-03-02T08:30:00.000Z',
      'content-type': 'application/json',
      ce_position: '42',
      ce_revision: '3',
      ce_recordedat: '2026-03-02T08:30:00.123Z',
      ce_countyid: 'county-qingchuan',
      ce_townshipid: 'twp-chengguan',
      ce_correlationid: 'corr',
      ce_causationid: 'req',
      ce_actororg: 'dept-market',
      ce_actorrole: 'department',
    });
    expect(out.bytes).toBe(estimateBytes(out.message));
  });

  it("passes the request's W3C trace context on as the CloudEvents distributed-tracing attribute (ce_traceparent)", () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    // A case id as the platform makes them (the contract says uuid).
    const caseId = '7d0f7a52-3b8e-4c1e-9a4f-2b6d8e1c0a93';
    const onCase = { streamName: `case-${caseId}`, data: { ...event().data, caseId } };
    const traced = toOutbound(event({ ...onCase, metadata: { ...event().metadata, traceparent } }), origin, options);
    expect(traced.message.headers?.ce_traceparent).toBe(traceparent);
    const contract = contractValidator({ closed: true });
    expect(contract.headers(traced.message.headers as Record<string, unknown>)).toEqual([]);
    // Without one, or with a value that is not a trace context, there is no such header.
    expect(toOutbound(event(), origin, options).message.headers).not.toHaveProperty('ce_traceparent');
    for (const bad of ['00-xyz', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`, 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 42]) {
      const out = toOutbound(event({ metadata: { ...event().metadata, traceparent: bad as string } }), origin, options);
      expect([bad, out.message.headers?.ce_traceparent]).toEqual([bad, undefined]);
    }
    // And the contract refuses a header that is not one.
    expect(contract.headers({ ...traced.message.headers, ce_traceparent: '00-xyz' } as Record<string, unknown>)).not.toEqual([]);
    // A dead letter keeps it.
    const parked = toOutbound(event({ ...onCase, metadata: { ...event().metadata, traceparent }, data: { ...onCase.data, n: 10n } }), origin, options);
    expect(parked.message.headers?.ce_traceparent).toBe(traceparent);
    expect(contract.deadLetterHeaders(parked.message.headers as Record<string, unknown>)).toEqual([]);
  });

  it('parks data JSON cannot express as unserialisable, with the reason', () => {
    const out = toOutbound(event({ data: { caseId: 'c1', occurredAt: 'x', n: 10n } }), origin, options);
    expect(out.topic).toBe('cs.dead-letter');
    expect(out.deadLetter?.reason).toBe('unserialisable');
    expect(out.message.headers).toMatchObject({ dlq_reason: 'unserialisable', ce_id: event().id, dlq_topic: 'cs.county-qingchuan.case-events' });
    expect(String(out.message.headers?.dlq_error)).toContain('BigInt');
    expect(out.message.value).toBeNull();
  });

  it('parks a message over the size limit as too-large', () => {
    const out = toOutbound(event({ data: { caseId: 'c1', occurredAt: 'x', text: 'x'.repeat(20_000) } }), origin, options);
    expect(out.deadLetter?.reason).toBe('too-large');
    expect(Number(out.message.headers?.dlq_bytes)).toBeGreaterThan(20_000);
    expect(out.message.value).toBeNull();
  });

  it('parks an event whose case has no known county as unroutable, keeping its data', () => {
    const out = toOutbound(event(), 'case c1 does not start with a WhistleBlown event', options);
    expect(out.deadLetter?.reason).toBe('unroutable');
    expect(out.message.headers?.ce_source).toBe('/cases/c1');
    expect(JSON.parse(out.message.value as string)).toEqual(event().data);
  });

  it.each([
    ['a stream that is not a case', { streamName: 'orders-1' }],
    ['a type that cannot form ce_type', { type: 'Bad.Type' }],
    ['a missing schema version', { metadata: { ...event().metadata, schemaVersion: undefined as unknown as number } }],
    ['data naming another case', { data: { caseId: 'other', occurredAt: 'x' } }],
  ])('parks %s as invalid-event', (_, overrides) => {
    const out = toOutbound(event(overrides as Partial<RecordedEvent>), origin, options);
    expect(out.deadLetter?.reason).toBe('invalid-event');
    expect(out.message.headers?.ce_id).toBe(event().id);
  });

  it('falls back to recordedAt for ce_time only when occurredAt is missing', () => {
    const out = toOutbound(event({ data: { caseId: 'c1' } }), origin, options);
    expect(out.message.headers?.ce_time).toBe('2026-03-02T08:30:00.123Z');
  });
});
