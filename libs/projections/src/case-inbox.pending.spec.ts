import { DatabaseSync } from 'node:sqlite';
import type { Actor, PendingMove } from '@chuishao/domain';
import { actor, iso, Script } from '@chuishao/histories';
import { caseInboxProjection } from './case-inbox.projection';
import { queryInbox } from './case-inbox.query';

const centre = actor('cc-a', 'command_centre');

/** A read model fed by a Script: `sync()` applies the events recorded since the last call, as the projector would. */
function inbox() {
  const db = new DatabaseSync(':memory:');
  caseInboxProjection.setup(db);
  const script = new Script();
  let applied = 0;
  const sync = () => {
    caseInboxProjection.applyBatch(db, script.events.slice(applied));
    applied = script.events.length;
  };
  const list = (who: Actor, pending?: PendingMove) => {
    sync();
    return queryInbox(db, who, { now: iso(100_000), limit: 100, ...(pending ? { pending } : {}) }).items;
  };
  const ids = (who: Actor, pending?: PendingMove) => list(who, pending).map((c) => c.caseId);
  return { db, script, list, ids };
}

describe('the case inbox: moves awaiting a decision (pending)', () => {
  it('延期: a case appears under pending=extension once a department asks, and leaves it when the centre decides', () => {
    const { script: s, ids, list, db } = inbox();
    s.blow('c1', 0, ['dept-a', 'dept-b']);
    s.blow('c2', 1, ['dept-a']);
    s.respond('c1', 10, 'dept-a');
    s.respond('c2', 10, 'dept-a');
    expect(ids(centre, 'extension')).toEqual([]);
    s.extend('c1', 20, 'dept-a', 2);
    expect(ids(centre, 'extension')).toEqual(['c1']);
    expect(ids(centre, 'return')).toEqual([]);
    expect(ids(centre, 'appeal')).toEqual([]);
    const [c2, c1] = list(centre);
    expect(c1.pending).toEqual(['extension']);
    expect(c2.pending).toEqual([]);
    s.decideExtension('c1', 30, 'dept-a', true, 1);
    expect(ids(centre, 'extension')).toEqual([]);
    expect(list(centre).map((c) => c.pending)).toEqual([[], []]);
    db.close();
  });

  it('退单: a returned part puts its case under pending=return until the centre decides (upheld or not)', () => {
    const { script: s, ids, list, db } = inbox();
    s.blow('c1', 0, ['dept-a']);
    s.blow('c2', 1, ['dept-b']);
    s.returnPart('c1', 5, 'dept-a');
    s.returnPart('c2', 6, 'dept-b');
    expect(ids(centre, 'return')).toEqual(['c2', 'c1']);
    expect(list(centre).map((c) => c.pending)).toEqual([['return'], ['return']]);
    s.decideReturn('c1', 20, 'dept-a', true, 'dept-c');
    expect(ids(centre, 'return')).toEqual(['c2']);
    s.decideReturn('c2', 21, 'dept-b', false);
    expect(ids(centre, 'return')).toEqual([]);
    db.close();
  });

  it('申诉: an appeal keeps its (closed) case under pending=appeal until the assessment office rules', () => {
    const { script: s, ids, list, db } = inbox();
    s.blow('c1', 0, ['dept-a']);
    s.respond('c1', 10, 'dept-a');
    s.complete('c1', 20, 'dept-a');
    s.review('c1', 30, 'dept-a', true, 'dissatisfied');
    s.appeal('c1', 40, 'dept-a');
    expect(ids(centre, 'appeal')).toEqual(['c1']);
    expect(list(centre)[0]).toMatchObject({ status: 'closed', pending: ['appeal'] });
    s.decideAppeal('c1', 50, 'dept-a', false);
    expect(ids(centre, 'appeal')).toEqual([]);
    expect(list(centre)[0].pending).toEqual([]);
    db.close();
  });

  it('several moves at once are listed in one order, and the filter keeps each caller’s scope', () => {
    const { script: s, ids, list, db } = inbox();
    s.blow('c1', 0, ['dept-a', 'dept-b']);
    s.blow('c2', 1, ['dept-c'], 'twp-b');
    s.respond('c1', 10, 'dept-a');
    s.extend('c1', 20, 'dept-a', 2);
    s.returnPart('c1', 21, 'dept-b');
    s.respond('c2', 10, 'dept-c');
    s.extend('c2', 22, 'dept-c', 1);
    expect(list(centre).map((c) => [c.caseId, c.pending])).toEqual([
      ['c2', ['extension']],
      ['c1', ['extension', 'return']],
    ]);
    expect(ids(actor('dept-a', 'department'), 'extension')).toEqual(['c1']);
    expect(ids(actor('dept-c', 'department'), 'extension')).toEqual(['c2']);
    expect(ids(actor('dept-d', 'department'), 'extension')).toEqual([]);
    expect(ids(actor('twp-b', 'township'), 'extension')).toEqual(['c2']);
    expect(ids(actor('twp-b', 'township'), 'return')).toEqual([]);
    expect(ids({ ...centre, countyId: 'county-z' }, 'extension')).toEqual([]);
    db.close();
  });
});
