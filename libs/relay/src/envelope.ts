import type { IHeaders, Message } from 'kafkajs';
import { caseIdOf as caseIdOfStream } from '@chuishao/domain';
import type { RecordedEvent } from '@chuishao/event-store';

/**
 * The county integration contract in code: how one stored event becomes one Kafka message
 * (CloudEvents 1.0, Kafka protocol binding, binary content mode). docs/relay.md is the prose form;
 * change both together.
 */

/** Where a case was raised: WhistleBlown carries it, later events of the case do not. */
export interface CaseOrigin {
  countyId: string;
  townshipId: string;
}

export type DeadLetterReason = 'unserialisable' | 'too-large' | 'unroutable' | 'invalid-event' | 'rejected-by-broker';

export interface OutboundMessage {
  event: RecordedEvent;
  topic: string;
  message: Message;
  /** Estimated size on the wire, for the per-request byte budget. */
  bytes: number;
  /** Set when the event is parked on the dead-letter topic instead of its county topic. */
  deadLetter?: { reason: DeadLetterReason; detail: string };
}

export const CE_TYPE_PREFIX = 'cn.gov.whistle.';
/** The directory's id format; ids outside it could break a topic name or the ce_source URI. */
const ORG_ID = /^[a-z0-9][a-z0-9-]{1,63}$/;
const EVENT_TYPE = /^[A-Za-z][A-Za-z0-9]{0,99}$/;
const DETAIL_MAX_CHARS = 1000;
/** Per-record framing on top of key, value and headers (lengths, varints, attributes), rounded up. */
const RECORD_OVERHEAD_BYTES = 70;

export const countyTopic = (prefix: string, countyId: string) => `${prefix}.${countyId}.case-events`;
export const deadLetterTopic = (prefix: string) => `${prefix}.dead-letter`;
export const ceSource = (o: CaseOrigin) => `/counties/${o.countyId}/townships/${o.townshipId}`;

/** The case id from the stream name (`case-<caseId>`), or null for an event outside a case stream. */
export function caseIdOf(event: RecordedEvent): string | null {
  return caseIdOfStream(event.streamName);
}

/** The origin a WhistleBlown event declares, or a reason it cannot serve as one. */
export function originOf(event: RecordedEvent): CaseOrigin | string {
  const { countyId, townshipId } = event.data as { countyId?: unknown; townshipId?: unknown };
  if (typeof countyId !== 'string' || !ORG_ID.test(countyId)) return `WhistleBlown has no valid countyId (${JSON.stringify(countyId)})`;
  if (typeof townshipId !== 'string' || !ORG_ID.test(townshipId)) return `WhistleBlown has no valid townshipId (${JSON.stringify(townshipId)})`;
  return { countyId, townshipId };
}

export interface EnvelopeOptions {
  topicPrefix: string;
  maxMessageBytes: number;
}

/**
 * The message for one event: to its county topic, or to the dead-letter topic with the reason.
 * `origin` is the case's origin, or why it could not be found.
 */
export function toOutbound(event: RecordedEvent, origin: CaseOrigin | string, options: EnvelopeOptions): OutboundMessage {
  const caseId = caseIdOf(event);
  const problem = caseId === null ? `stream ${event.streamName} is not a case stream` : invalidity(event, caseId);
  if (problem) return deadLetter(event, caseId, null, 'invalid-event', problem, options);
  if (typeof origin === 'string') return deadLetter(event, caseId, null, 'unroutable', origin, options);

  const headers = ceHeaders(event, caseId!, origin);
  let value: string | undefined;
  try {
    value = JSON.stringify(event.data);
  } catch (error) {
    return deadLetter(event, caseId, origin, 'unserialisable', `JSON.stringify failed: ${detailOf(error)}`, options);
  }
  if (value === undefined) return deadLetter(event, caseId, origin, 'unserialisable', 'event data is not a JSON value', options);
  const message: Message = { key: caseId, value, headers };
  const bytes = estimateBytes(message);
  if (bytes > options.maxMessageBytes) {
    const detail = `message of ~${bytes} bytes exceeds the relay's limit of ${options.maxMessageBytes} bytes`;
    return deadLetter(event, caseId, origin, 'too-large', detail, options, bytes);
  }
  return { event, topic: countyTopic(options.topicPrefix, origin.countyId), message, bytes };
}

/** The same event parked on the dead-letter topic; used for events the broker itself refused. */
export function rejectedByBroker(outbound: OutboundMessage, error: string, options: EnvelopeOptions): OutboundMessage {
  const caseId = caseIdOf(outbound.event);
  const origin = originFromHeaders(outbound.message.headers);
  return deadLetter(outbound.event, caseId, origin, 'rejected-by-broker', `${outbound.topic}: ${error}`, options, outbound.bytes, outbound.topic);
}

function invalidity(event: RecordedEvent, caseId: string): string | null {
  if (!EVENT_TYPE.test(event.type)) return `event type ${JSON.stringify(event.type)} cannot form a ce_type`;
  const version = event.metadata?.schemaVersion;
  if (!Number.isInteger(version) || (version as number) < 1) return `metadata.schemaVersion ${JSON.stringify(version)} is not a positive integer`;
  const dataCaseId = (event.data as { caseId?: unknown } | null)?.caseId;
  if (dataCaseId !== undefined && dataCaseId !== caseId) return `data.caseId ${JSON.stringify(dataCaseId)} differs from the stream's case ${caseId}`;
  return null;
}

function ceHeaders(event: RecordedEvent, caseId: string, origin: CaseOrigin | null): IHeaders {
  const data = (event.data ?? {}) as { occurredAt?: unknown };
  const meta = event.metadata ?? ({} as RecordedEvent['metadata']);
  const headers: IHeaders = {
    ce_specversion: '1.0',
    ce_id: event.id,
    ce_type: `${CE_TYPE_PREFIX}${event.type}.v${meta.schemaVersion}`,
    ce_subject: caseId,
    // occurredAt is the server-stamped business time every case event carries; recordedAt only if it is missing.
    ce_time: typeof data.occurredAt === 'string' ? data.occurredAt : event.recordedAt,
    'content-type': 'application/json',
    ce_position: String(event.position),
    ce_revision: String(event.revision),
    ce_recordedat: event.recordedAt,
  };
  if (origin) {
    headers.ce_source = ceSource(origin);
    headers.ce_countyid = origin.countyId;
    headers.ce_townshipid = origin.townshipId;
  } else {
    // CloudEvents requires a source; a message that could not be routed still says where it came from.
    headers.ce_source = `/cases/${caseId}`;
  }
  optional(headers, 'ce_correlationid', meta.correlationId);
  optional(headers, 'ce_causationid', meta.causationId);
  optional(headers, 'ce_actororg', meta.actor?.orgId);
  optional(headers, 'ce_actorrole', meta.actor?.role);
  // CloudEvents distributed-tracing extension: the W3C trace context of the request that caused the event.
  if (typeof meta.traceparent === 'string' && TRACEPARENT.test(meta.traceparent)) headers.ce_traceparent = meta.traceparent;
  return headers;
}

/** W3C Trace Context `traceparent` (version-traceid-parentid-flags, lowercase hex; version ff is invalid). */
export const TRACEPARENT = /^(?!ff)[0-9a-f]{2}-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

function deadLetter(
  event: RecordedEvent,
  caseId: string | null,
  origin: CaseOrigin | null,
  reason: DeadLetterReason,
  detail: string,
  options: EnvelopeOptions,
  bytes?: number,
  intendedTopic?: string,
): OutboundMessage {
  const headers =
    caseId && EVENT_TYPE.test(event.type) && Number.isInteger(event.metadata?.schemaVersion)
      ? ceHeaders(event, caseId, origin)
      : { ce_specversion: '1.0', ce_id: event.id, ce_position: String(event.position), ce_revision: String(event.revision) };
  const shortDetail = detail.length > DETAIL_MAX_CHARS ? `${detail.slice(0, DETAIL_MAX_CHARS)}…` : detail;
  headers.dlq_reason = reason;
  headers.dlq_error = shortDetail;
  headers.dlq_stream = event.streamName;
  headers.dlq_eventtype = event.type;
  headers.dlq_topic = intendedTopic ?? (origin ? countyTopic(options.topicPrefix, origin.countyId) : '');
  if (bytes !== undefined) headers.dlq_bytes = String(bytes);
  // The value is the event data when it serialises and fits; otherwise null (the store keeps the event).
  let value: string | null = null;
  if (reason === 'unroutable' || reason === 'invalid-event') {
    try {
      const json = JSON.stringify(event.data);
      if (json !== undefined && Buffer.byteLength(json) <= options.maxMessageBytes / 2) value = json;
    } catch {
      value = null; // the reason already says what is wrong with the event; its data simply stays in the store
    }
  }
  const message: Message = { key: caseId, value, headers };
  return { event, topic: deadLetterTopic(options.topicPrefix), message, bytes: estimateBytes(message), deadLetter: { reason, detail: shortDetail } };
}

function optional(headers: IHeaders, name: string, value: unknown): void {
  if (typeof value === 'string' && value !== '') headers[name] = value;
}

function originFromHeaders(headers: IHeaders | undefined): CaseOrigin | null {
  const countyId = headers?.ce_countyid;
  const townshipId = headers?.ce_townshipid;
  return typeof countyId === 'string' && typeof townshipId === 'string' ? { countyId, townshipId } : null;
}

function detailOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export function estimateBytes(message: Message): number {
  let bytes = RECORD_OVERHEAD_BYTES + byteLength(message.key) + byteLength(message.value);
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    bytes += 8 + Buffer.byteLength(name) + byteLength(value as string | Buffer | undefined);
  }
  return bytes;
}

function byteLength(value: string | Buffer | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length;
}
