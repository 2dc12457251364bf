import type { DatabaseSync } from 'node:sqlite';
import type { EventStore, FoldableEvent, StreamPartition } from '@chuishao/event-store';
import type { ProjectionSession, SessionOptions } from './projection';
import { readCheckpoint, writeCheckpoint, type CheckpointKey } from './checkpoints';
import { assertBuilding, GenerationTakenOver, generationRow } from './generations/table';
import { beginImmediate, tryBeginImmediate } from './transactions';

/**
 * A rebuild's first phase, split by stream partition: `count` workers each fold the events of their own
 * streams (store.readAllFoldable with `partition`) into the new generation's tables, side by side on as many
 * cores. This is sound only for projections whose rows belong to one stream each (a case's rows to its
 * case-<id> stream), as the inbox's and the scoring facts' do: partitions then never write the same row.
 *
 * Each worker keeps its own checkpoint per projection (`{ projection, generation, partition }`): everything of its
 * partition up to there is applied. It folds outside any transaction and holds the write lock only to
 * write the folded rows and move its checkpoints, so workers overlap instead of queueing for the lock.
 * After a crash a worker resumes from its checkpoints; once every partition has reached `to`, the
 * rebuild merges them into the generation's one checkpoint (generations/partitions.ts).
 */
export interface PartitionTarget {
  /** The live projection's name and the generation this rebuild fills. */
  name: string;
  generation: number;
  /** A session over that generation's tables (GenerationalProjection.session). */
  session(db: DatabaseSync, options: SessionOptions): ProjectionSession;
}

export interface PartitionOptions {
  /** Events of this partition folded between commits (default 100,000; also at most ~2 s of folding). */
  batch?: number;
  signal?: AbortSignal;
}

const PAGE = 1_000;
const MAX_FOLD_MS = 2_000;

/** The checkpoint of one partition of a rebuild of `name` into `generation`. */
export const partitionCheckpoint = (name: string, generation: number, partition: StreamPartition): CheckpointKey => ({
  projection: name,
  generation,
  partition: { index: partition.index, count: partition.count },
});

/** Folds partition `partition` of the events after each target's partition checkpoint, up to `to` inclusive. */
export async function catchUpPartition(
  store: EventStore,
  db: DatabaseSync,
  targets: readonly PartitionTarget[],
  partition: StreamPartition,
  to: number,
  options: PartitionOptions = {},
): Promise<void> {
  const keys = targets.map((t) => partitionCheckpoint(t.name, t.generation, partition));
  const committed = keys.map((k) => readCheckpoint(db, k));
  // A partition without a checkpoint has written none of its rows, and no other partition writes them.
  // The generation's indexes are gone until the merge (dropIndexes): sessions find their rows by rowid.
  const sessions = targets.map((t, i) => t.session(db, { empty: committed[i] === null, keyless: true, partitions: partition.count }));
  // 100,000 rather than 50,000: fewer commits, a case's rows rewritten less often (~7% faster rebuild
  // in interleaved pairs, same peak RSS; 200,000 saved little more for ~90 MiB more RSS; session 5).
  const maxEvents = options.batch ?? 100_000;
  const run: PartitionRun = {
    store,
    db,
    targets,
    keys,
    sessions,
    committed,
    partition,
    to,
    maxEvents,
    pageSize: Math.min(PAGE, maxEvents),
    signal: options.signal,
  };
  // The rebuild's own connection checkpoints the WAL meanwhile (generations/partitions.ts), so no commit here waits
  // for a checkpoint's copying and fsync.
  const autocheckpoint = (db.prepare('PRAGMA wal_autocheckpoint').get() as { wal_autocheckpoint: number }).wal_autocheckpoint;
  db.exec('PRAGMA wal_autocheckpoint = 0');
  try {
    while (await foldAndCommitChunk(run)) {
      // Let timers and messages run between chunks.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } finally {
    if (db.isOpen) db.exec(`PRAGMA wal_autocheckpoint = ${Number(autocheckpoint)}`);
  }
}

interface PartitionRun {
  store: EventStore;
  targets: readonly PartitionTarget[];
  db: DatabaseSync;
  keys: CheckpointKey[];
  sessions: ProjectionSession[];
  /** Per target, its partition checkpoint as this run last committed it. */
  committed: (number | null)[];
  partition: StreamPartition;
  to: number;
  maxEvents: number;
  pageSize: number;
  signal?: AbortSignal;
}

/** Folds one chunk in memory, then commits its rows and checkpoints; false once `to` is reached (or aborted). */
async function foldAndCommitChunk(run: PartitionRun): Promise<boolean> {
  const { db, keys, sessions, committed, to } = run;
  const from = lowest(committed);
  if (from !== null && from >= to) return false;
  // Rows a session misses are read from what earlier chunks committed.
  let last = from;
  let folded = 0;
  let end = false;
  const started = performance.now();
  const foldPage = async (): Promise<boolean> => {
    const page = await run.store.readAllFoldable({ after: last, limit: run.pageSize, partition: run.partition });
    if (run.signal?.aborted) return false;
    const upTo = page.length > 0 && page[page.length - 1].position > to ? page.filter((e) => e.position <= to) : page;
    sessions.forEach((session, i) => {
      foldFresh(session, upTo, committed[i]);
    });
    folded += upTo.length;
    if (upTo.length > 0) last = upTo[upTo.length - 1].position;
    end = page.length < run.pageSize || upTo.length < page.length;
    return true;
  };
  while (!end && folded < run.maxEvents && performance.now() - started < MAX_FOLD_MS) if (!(await foldPage())) return false;
  // While another partition holds the write lock, fold on instead of waiting (up to twice the chunk).
  while (!end && folded < 2 * run.maxEvents && performance.now() - started < 2 * MAX_FOLD_MS && !tryBeginImmediate(db)) {
    if (!(await foldPage())) return false;
  }
  // Everything of this partition up to `reached` is now folded.
  const reached = end ? to : last!;
  if (!db.isTransaction) beginImmediate(db);
  try {
    for (const { name, generation } of run.targets) {
      assertBuilding(db, name, generation);
      // Another rebuild of the generation merged its partitions (and goes on from there): nothing more here.
      if (readCheckpoint(db, { projection: name, generation }) !== null) throw new GenerationTakenOver(name, generation, generationRow(db, name));
    }
    keys.forEach((key, i) => {
      if (readCheckpoint(db, key) !== committed[i]) {
        throw new Error(
          `${key.projection}, generation ${key.generation}, partition ${run.partition.index} of ${run.partition.count}: moved by another writer; is another rebuild running?`,
        );
      }
    });
    for (const session of sessions) session.flush();
    for (const key of keys) writeCheckpoint(db, key, reached);
    db.exec('COMMIT');
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
  committed.fill(reached);
  return true;
}

function foldFresh(session: ProjectionSession, events: readonly FoldableEvent[], checkpoint: number | null): void {
  const fresh = checkpoint === null ? events : events.filter((e) => e.position > checkpoint);
  if (fresh.length > 0) session.fold(fresh);
}

function lowest(checkpoints: readonly (number | null)[]): number | null {
  if (checkpoints.some((c) => c === null)) return null;
  return Math.min(...(checkpoints as number[]));
}
