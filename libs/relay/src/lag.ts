import type { EventStore } from '@chuishao/event-store';

/** Counting stops here: a relay this far behind is reported as "at least" this many events behind. */
export const LAG_COUNT_LIMIT = 1_000;

export interface Lag {
  head: number | null;
  /** Events after the checkpoint, up to the head (exact below LAG_COUNT_LIMIT). */
  lagEvents: number;
  lagEventsAtLeast: boolean;
  /** Age of the oldest event not yet acknowledged by the broker, from its recordedAt; 0 when caught up. */
  lagSeconds: number;
  measuredAt: string;
}

/**
 * Measures how far the relay is behind the store. Positions are not dense on every store (EventStoreDB
 * positions are log offsets), so events are counted rather than subtracted, with a cap to keep the
 * measurement cheap during a long catch-up.
 */
export async function measureLag(store: EventStore, checkpoint: number | null, now = Date.now()): Promise<Lag> {
  const head = await store.headPosition();
  const measuredAt = new Date(now).toISOString();
  if (head === null || (checkpoint !== null && checkpoint >= head)) {
    return { head, lagEvents: 0, lagEventsAtLeast: false, lagSeconds: 0, measuredAt };
  }
  const page = await store.readAll({ after: checkpoint, limit: LAG_COUNT_LIMIT });
  const behind = page.filter((e) => e.position <= head);
  const oldest = behind[0];
  return {
    head,
    lagEvents: behind.length,
    lagEventsAtLeast: page.length === LAG_COUNT_LIMIT && behind.length === page.length,
    lagSeconds: oldest ? Math.max(0, (now - Date.parse(oldest.recordedAt)) / 1000) : 0,
    measuredAt,
  };
}
