import { randomUUID } from 'node:crypto';
import type { EventData, RecordedEvent } from '../src/port';

/** Unique names keep the suite correct on a shared server, where other tests' streams are still there. */
export function newStream(prefix = 'contract'): string {
  return `${prefix}-${randomUUID()}`;
}

export function newEvent(type = 'Tested', data: Record<string, unknown> = {}): EventData {
  return {
    id: randomUUID(),
    type,
    data,
    metadata: {
      actor: { orgId: 'org-contract', role: 'clerk', userId: 'user-contract' },
      correlationId: randomUUID(),
      causationId: randomUUID(),
      schemaVersion: 1,
    },
  };
}

export function newEvents(count: number, type = 'Tested'): EventData[] {
  return Array.from({ length: count }, (_, n) => newEvent(type, { n }));
}

/** The rejection of a promise that must reject; fails the test if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, but the promise resolved');
}

/** Fails instead of hanging when something that should happen promptly does not. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms}ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Pulls from a subscription until every wanted event id was delivered; returns everything delivered meanwhile. */
export async function pullUntil(
  iterator: AsyncIterator<RecordedEvent>,
  wantedIds: readonly string[],
  delivered: RecordedEvent[] = [],
): Promise<RecordedEvent[]> {
  const missing = new Set(wantedIds);
  while (missing.size > 0) {
    const next = await within(iterator.next(), 5_000, `events ${[...missing].join(', ')}`);
    if (next.done) throw new Error(`subscription ended before delivering ${[...missing].join(', ')}`);
    delivered.push(next.value);
    missing.delete(next.value.id);
  }
  return delivered;
}

export function idsOf(events: readonly { id: string }[]): string[] {
  return events.map((e) => e.id);
}

export function expectStrictlyIncreasing(numbers: readonly number[]): void {
  numbers.slice(1).forEach((n, i) => {
    expect(n).toBeGreaterThan(numbers[i]);
  });
}
