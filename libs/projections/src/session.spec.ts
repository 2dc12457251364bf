import { DatabaseSync } from 'node:sqlite';
import type { FoldableEvent } from '@chuishao/event-store';
import { documentProjection, documentSession, type DocumentModel } from './session';

/** Documents are streams' event counts in a Map standing in for tables; loads and writes are recorded. */
function counter(keep: number) {
  const table = new Map<string, number>();
  const loads: string[] = [];
  const writes: string[] = [];
  const model: DocumentModel<{ stream: string; n: number }, Map<string, number>> = {
    keep,
    canHandle: (e) => e.type !== 'Ignored',
    keyOf: (e) => e.streamName,
    rows: () => table,
    load(rows, key) {
      loads.push(key);
      return { stream: key, n: rows.get(key) ?? 0 };
    },
    evolve: (doc, e) => ({ ...doc, n: doc.n + (e.type === 'Double' ? 2 : 1) }),
    write(rows, doc) {
      writes.push(doc.stream);
      rows.set(doc.stream, doc.n);
    },
  };
  return { model, table, loads, writes };
}

let position = 0;
const event = (streamName: string, type = 'T') =>
  ({ streamName, type, position: ++position, revision: 0, data: {}, recordedAt: '' }) as unknown as FoldableEvent;

describe('the shared document session', () => {
  const db = new DatabaseSync(':memory:');
  afterAll(() => db.close());

  it('folds each event into its document, writes each touched document once per flush, and passes by what it does not handle', () => {
    const { model, table, loads, writes } = counter(100);
    const session = documentSession(model, db, 1);
    session.fold([event('a'), event('b'), event('a', 'Double'), event('c', 'Ignored'), event('a')]);
    expect(table.size).toBe(0);
    session.flush();
    expect(Object.fromEntries(table)).toEqual({ a: 4, b: 1 });
    expect(writes).toEqual(['a', 'b']);
    // Kept between flushes: folded on without loading again; untouched documents are not written again.
    session.fold([event('b')]);
    session.flush();
    expect(loads).toEqual(['a', 'b']);
    expect(writes).toEqual(['a', 'b', 'b']);
    expect(table.get('b')).toBe(2);
  });

  it('keeps at most `keep` documents between flushes, the least recently touched going first', () => {
    const { model, loads } = counter(2);
    const session = documentSession(model, db, 1);
    session.fold([event('a'), event('b')]);
    session.flush();
    session.fold([event('a'), event('c')]);
    session.flush();
    // b was touched least recently: forgotten; a and c are still held.
    session.fold([event('a'), event('c'), event('b')]);
    session.flush();
    expect(loads).toEqual(['a', 'b', 'c', 'b']);
  });

  it("a partition's session keeps its share of the documents", () => {
    const { model, loads } = counter(4);
    const session = documentSession(model, db, 1, { partitions: 2 });
    session.fold([event('a'), event('b'), event('c')]);
    session.flush();
    session.fold([event('a'), event('b'), event('c')]);
    session.flush();
    // 2 kept of 3: the first one folded is read back.
    expect(loads).toEqual(['a', 'b', 'c', 'a']);
  });

  it('applyBatch of a document projection folds and writes the batch with a session of its own', () => {
    const { model, table } = counter(10);
    const gp = documentProjection({ name: 'n', setupGeneration: () => {}, dropGeneration: () => {}, existingGenerations: () => [1] }, model);
    gp.applyBatch(db, 1, [event('x'), event('x')]);
    gp.applyBatch(db, 1, [event('x')]);
    expect(table.get('x')).toBe(3);
  });
});
