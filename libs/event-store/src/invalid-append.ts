import type { EventData, ExpectedRevision } from './port';

/**
 * The append is malformed (no events, a bad expected revision, an event id used twice or already stored):
 * retrying it unchanged cannot succeed. Lives beside errors.ts only because that file is a fixed contract.
 */
export class InvalidAppend extends Error {
  readonly code = 'STORE.INVALID_APPEND';
  readonly streamName: string;

  constructor(streamName: string, reason: string) {
    super(`stream ${streamName}: ${reason}`);
    this.name = 'InvalidAppend';
    this.streamName = streamName;
  }
}

/** What every adapter checks before touching storage, so both reject the same malformed appends. */
export function assertWellFormedAppend(streamName: string, events: readonly EventData[], expected: ExpectedRevision): void {
  if (streamName === '') throw new InvalidAppend(streamName, 'the stream name is empty');
  if (events.length === 0) throw new InvalidAppend(streamName, 'an append needs at least one event');
  if (typeof expected === 'number' && !(Number.isSafeInteger(expected) && expected >= 0)) {
    throw new InvalidAppend(streamName, `expected revision ${expected} is not a revision`);
  }
  if (new Set(events.map((e) => e.id)).size !== events.length) {
    throw new InvalidAppend(streamName, 'an event id appears twice in the append');
  }
}

/** Each event's metadata records the idempotency key of the append that wrote it (the audit log shows the command). */
export function withIdempotencyKey(event: EventData, idempotencyKey: string | undefined): EventData {
  return idempotencyKey === undefined ? event : { ...event, metadata: { ...event.metadata, idempotencyKey } };
}
