import type { DatabaseSync } from 'node:sqlite';
import type { FoldableEvent } from '@chuishao/event-store';
import type { GenerationalProjection } from './generations/generational-projection';
import type { ProjectionSession, SessionOptions } from './projection';

/**
 * A read model as documents: it says which events it handles, which document each changes, how a document
 * evolves, and how documents are read from and written to its tables (the codec). The session below does
 * the rest for every read model alike: folding in memory, writing each touched document once per flush,
 * and keeping the recently touched ones between transactions within a bound. The runners around it
 * (projection-runner.ts, partitioned-catch-up.ts) open a transaction per batch, call flush in it and move
 * the checkpoint in the same transaction.
 */
export interface DocumentModel<Doc, Rows> {
  /** Events it folds; the others pass it by. */
  canHandle(event: FoldableEvent): boolean;
  /**
   * The document an event changes. All of a document's events must come from one stream: a partitioned
   * rebuild splits the history by stream, and two partitions must never write the same rows.
   */
  keyOf(event: FoldableEvent): string;
  /** How one session finds and writes rows in one generation's tables (by key, or by rowid when keyless). */
  rows(db: DatabaseSync, generation: number, options: SessionOptions): Rows;
  /** The document as its rows hold it, or a new one; `event` is the first one the session folds into it. */
  load(rows: Rows, key: string, event: FoldableEvent): Doc;
  /** The document after the event (may be the same object, changed). */
  evolve(doc: Doc, event: FoldableEvent): Doc;
  /** Called at the start of each flush, before any write. */
  beginFlush?(rows: Rows): void;
  /** Writes what of the document changed since it was last written. */
  write(rows: Rows, doc: Doc): void;
  /** Documents a session keeps in memory between transactions (a partition's session keeps its share). */
  readonly keep: number;
}

interface Entry<Doc> {
  doc: Doc;
  dirty: boolean;
}

/** A session over one generation's tables: what the runners call fold and flush on. */
export function documentSession<Doc, Rows>(
  model: DocumentModel<Doc, Rows>,
  db: DatabaseSync,
  generation: number,
  options: SessionOptions = {},
): ProjectionSession {
  const rows = model.rows(db, generation, options);
  // In the Map's order, least recently touched first: trimmed first.
  const docs = new Map<string, Entry<Doc>>();
  const dirty: Entry<Doc>[] = [];
  const keep = Math.ceil(model.keep / (options.partitions ?? 1));
  return {
    fold(events) {
      for (const event of events) {
        if (!model.canHandle(event)) continue;
        const key = model.keyOf(event);
        let entry = docs.get(key);
        if (!entry) {
          entry = { doc: model.load(rows, key, event), dirty: false };
          docs.set(key, entry);
        } else if (!entry.dirty) {
          // First touch since the last flush: to the Map's end.
          docs.delete(key);
          docs.set(key, entry);
        }
        if (!entry.dirty) {
          entry.dirty = true;
          dirty.push(entry);
        }
        entry.doc = model.evolve(entry.doc, event);
      }
    },
    flush() {
      model.beginFlush?.(rows);
      for (const entry of dirty) {
        entry.dirty = false;
        model.write(rows, entry.doc);
      }
      dirty.length = 0;
      if (docs.size > keep) {
        for (const key of docs.keys()) {
          docs.delete(key);
          if (docs.size <= keep) break;
        }
      }
    },
  };
}

/** The tables of a read model per generation: what GenerationalProjection asks besides folding. */
export type GenerationTables = Omit<GenerationalProjection, 'applyBatch' | 'session'>;

/** A generational read model whose batches and sessions fold its documents (the live runner's, a rebuild's, a partition's). */
export function documentProjection<Doc, Rows>(tables: GenerationTables, model: DocumentModel<Doc, Rows>): GenerationalProjection {
  return {
    ...tables,
    session: (db, generation, options) => documentSession(model, db, generation, options),
    applyBatch(db, generation, events) {
      const session = documentSession(model, db, generation);
      session.fold(events);
      session.flush();
    },
  };
}
