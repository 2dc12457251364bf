import { randomUUID } from 'node:crypto';
import { caseStream, DEFAULT_POLICY, DomainError, type Actor } from '@chuishao/domain';
import { MemoryEventStore, type EventStore } from '@chuishao/event-store';
import { COUNTY_FACTS, commandCentre, deptA, deptB, otherTownship, T0, township } from '../../domain/test/fixtures';
import { caseCommandHandler, type CaseCommandHandler, type CommandBuilder, type CommandOptions, type CommandOutcome } from './case-command-handler';
import { CaseLoader } from './case-loader';
import { CommandConflict, IdempotencyKeyReused, PreconditionFailed } from './errors';

const CASE = 'c-1';
const clock = { now: () => new Date(T0) };

const blow: CommandBuilder = (now) => ({
  type: 'BlowWhistle',
  caseId: CASE,
  actor: township,
  now,
  facts: COUNTY_FACTS,
  data: {
    title: '河道违法排污',
    description: '东坝河段发现不明排污口',
    category: 'joint_enforcement',
    departmentIds: ['dept-a', 'dept-b'],
    location: { address: '东坝镇河滨路12号' },
  },
});
const respond =
  (by: Actor, note?: string): CommandBuilder =>
  (now) => ({ type: 'RespondToCase', caseId: CASE, actor: by, now, data: { note } });
const complete =
  (by: Actor): CommandBuilder =>
  (now) => ({ type: 'CompleteHandling', caseId: CASE, actor: by, now, data: { result: '已处置' } });
const urge =
  (note: string): CommandBuilder =>
  (now) => ({ type: 'UrgeDepartment', caseId: CASE, actor: commandCentre, now, data: { departmentId: 'dept-b', note } });
const check: CommandBuilder = (now) => ({
  type: 'CheckDeadlines',
  caseId: CASE,
  actor: { orgId: 'system', role: 'system', userId: 'w', countyId: 'county-a' },
  now,
  data: { commandCentreId: 'cc-a' },
});

/**
 * A store that lets a test write between the command path's read and its append: `beforeAppend` runs (with the
 * real store) ahead of each of the handler's appends, as another process's write would land there.
 */
function interleaving(store: EventStore, beforeAppend: (store: EventStore, attempt: number) => Promise<void>): EventStore {
  let attempt = 0;
  return new Proxy(store, {
    get(target, name, receiver) {
      if (name !== 'append') return Reflect.get(target, name, receiver);
      return async (...args: Parameters<EventStore['append']>) => {
        await beforeAppend(target, ++attempt);
        return target.append(...args);
      };
    },
  });
}

/** given(commands already handled).when(command, options).then… — on a fresh in-memory store each time. */
function given(...history: CommandBuilder[]) {
  const store = new MemoryEventStore({ clock: () => clock.now() });
  /** Another writer of the same store (its own cache): a second API instance, or the watcher. */
  const other = caseCommandHandler({ store, policy: DEFAULT_POLICY, clock });
  const loader = new CaseLoader(store);
  let subject: CaseCommandHandler = caseCommandHandler({ store, policy: DEFAULT_POLICY, clock, loader });
  const ready = (async () => {
    for (const build of history) await subject(CASE, build);
  })();
  const stream = () => store.readStream(caseStream(CASE));
  const scenario = {
    store,
    other,
    stream,
    /** The subject decides on a stale cache: its fold is as of `history`, the store has moved on by `commands`. */
    async meanwhile(...commands: CommandBuilder[]) {
      await ready;
      for (const build of commands) await other(CASE, build);
      return scenario;
    },
    /** The subject (its cache as warm as before) appends through `interleaving`: others write between its read and its append. */
    withInterleaving(beforeAppend: (store: EventStore, attempt: number) => Promise<void>, maxAttempts?: number) {
      subject = caseCommandHandler({ store: interleaving(store, beforeAppend), policy: DEFAULT_POLICY, clock, loader, maxAttempts });
      return scenario;
    },
    async when(build: CommandBuilder, options?: CommandOptions) {
      await ready;
      const before = await stream();
      let outcome: CommandOutcome | undefined;
      let error: unknown;
      // Tells this command's events from others' appended meanwhile.
      const causationId = options?.causationId ?? `subject-${randomUUID()}`;
      try {
        outcome = await subject(CASE, build, { ...options, causationId });
      } catch (e) {
        error = e;
      }
      const after = await stream();
      const appended = after.slice(before.length);
      return {
        outcome,
        error,
        appended,
        /** The command succeeded; these are the types of the events it appended. */
        thenAppended(...types: string[]): CommandOutcome {
          if (error) throw error;
          expect(appended.map((e) => e.type)).toEqual(types);
          return outcome!;
        },
        /** The command was refused with this error and appended nothing (the stream may have moved by others' writes). */
        thenRefused(type: abstract new (...args: never[]) => Error, code: string, message?: RegExp): void {
          expect(error).toBeInstanceOf(type);
          expect((error as { code: string }).code).toBe(code);
          if (message) expect((error as Error).message).toMatch(message);
          expect(appended.filter((e) => e.metadata.causationId === causationId)).toEqual([]);
        },
      };
    },
  };
  return scenario;
}

describe('the command path on the in-memory store', () => {
  describe('load → decide → append', () => {
    it('appends what decide yields at the next revision, and answers with the case after it', async () => {
      const { outcome, appended } = await given(blow).when(respond(deptA, '已报到'));
      expect(appended.map((e) => [e.type, e.revision])).toEqual([['DepartmentResponded', 1]]);
      expect(outcome).toMatchObject({ replayed: false, view: { caseId: CASE, version: 1, position: appended[0].position } });
      expect(outcome!.view.parts[0].status).toBe('in_progress');
    });

    it('stamps every event with the actor, the command, the schema version, and one correlation and causation', async () => {
      const result = await given().when(blow, { correlationId: 'corr-1', causationId: 'req-1' });
      result.thenAppended('WhistleBlown');
      expect(result.appended[0].metadata).toEqual({
        actor: { orgId: township.orgId, role: 'township', userId: township.userId },
        correlationId: 'corr-1',
        causationId: 'req-1',
        schemaVersion: 1,
        command: 'BlowWhistle',
      });
    });

    it('makes up a correlation and a causation when the caller has none, the same for every event of the command', async () => {
      const s = await given(blow, respond(deptA)).meanwhile(complete(deptA));
      await s.other(CASE, (now) => ({
        type: 'ReviewHandling',
        caseId: CASE,
        actor: township,
        now,
        data: { departmentId: 'dept-a', resolved: true, satisfaction: 'satisfied' },
      }));
      const [review, closed] = (await s.stream()).slice(-2);
      expect([review.type, closed.type]).toEqual(['ReviewCompleted', 'PartClosed']);
      expect(review.metadata.correlationId).toMatch(/^[0-9a-f-]{36}$/);
      expect(review.metadata.causationId).toMatch(/^[0-9a-f-]{36}$/);
      expect(review.metadata.causationId).not.toBe(review.metadata.correlationId);
      expect([closed.metadata.correlationId, closed.metadata.causationId]).toEqual([review.metadata.correlationId, review.metadata.causationId]);
    });

    it('answers with the case as it is and appends nothing when there is nothing to record', async () => {
      const result = await given(blow).when(check);
      result.thenAppended();
      expect(result.outcome).toMatchObject({ replayed: false, view: { caseId: CASE, version: 0 } });
    });
  });

  describe('refusals append nothing', () => {
    it('a command the rules refuse', async () => {
      const s = given(blow);
      (await s.when(complete(deptA))).thenRefused(DomainError, 'CASE.INVALID_STATE', /before reporting in/);
      expect(await s.stream()).toHaveLength(1);
    });

    it('a case the actor may not see is refused as one that does not exist', async () => {
      (await given(blow).when((now) => ({ type: 'WithdrawCase', caseId: CASE, actor: otherTownship, now, data: { reason: 'x' } }))).thenRefused(
        DomainError,
        'CASE.NOT_FOUND',
      );
      (await given().when(respond(deptA))).thenRefused(DomainError, 'CASE.NOT_FOUND');
    });
  });

  describe('a stale cache (another writer appended since this process last saw the case)', () => {
    it('costs a fresh read and a decision on it, not a conflict', async () => {
      const s = await given(blow, respond(deptA)).meanwhile(urge('请尽快报到'));
      const outcome = (await s.when(respond(deptB))).thenAppended('DepartmentResponded');
      expect(outcome.view.version).toBe(3);
    });

    it('is never the ground of a refusal: what the cache refuses is decided again on the store', async () => {
      const s = await given(blow).meanwhile(respond(deptA));
      (await s.when(complete(deptA))).thenAppended('HandlingCompleted');
    });

    it('is never the ground of a failed If-Match: the version is checked on the store', async () => {
      const s = await given(blow).meanwhile(respond(deptA));
      (await s.when(respond(deptB), { expectedRevision: 1 })).thenAppended('DepartmentResponded');
    });
  });

  describe('conflicts: another append between this load and this append', () => {
    it('decides again on the new state and appends on top of it', async () => {
      const s = given(blow).withInterleaving(async (store, attempt) => {
        if (attempt === 1) await caseCommandHandler({ store, policy: DEFAULT_POLICY, clock })(CASE, urge('请尽快报到'));
      });
      const result = await s.when(respond(deptA));
      result.thenAppended('DepartmentUrged', 'DepartmentResponded');
      expect(result.outcome!.view.version).toBe(2);
    });

    it('refuses what the new state no longer allows', async () => {
      const s = given(blow).withInterleaving(async (store, attempt) => {
        if (attempt === 1) await caseCommandHandler({ store, policy: DEFAULT_POLICY, clock })(CASE, respond(deptA, '抢先报到'));
      });
      (await s.when(respond(deptA))).thenRefused(DomainError, 'CASE.INVALID_STATE');
      const events = await s.stream();
      expect(events.map((e) => e.data.note ?? null)).toEqual([null, '抢先报到']);
    });

    it('gives up with COMMAND.CONFLICT after every attempt lost the race, having appended nothing of its own', async () => {
      let lost = 0;
      const s = given(blow).withInterleaving(async (store) => {
        lost++;
        await caseCommandHandler({ store, policy: DEFAULT_POLICY, clock })(CASE, urge(`第${lost}次催办`));
      }, 3);
      (await s.when(respond(deptA))).thenRefused(CommandConflict, 'COMMAND.CONFLICT', /3 attempts lost the race/);
      // The first append was decided on the (stale) cache, then three on fresh reads: the stale one is not counted.
      expect(lost).toBe(4);
      expect((await s.stream()).map((e) => e.type)).toEqual(['WhistleBlown', ...Array(4).fill('DepartmentUrged')]);
    });

    it('with If-Match, answers COMMAND.PRECONDITION_FAILED instead of deciding again', async () => {
      const s = given(blow).withInterleaving(async (store, attempt) => {
        if (attempt === 1) await caseCommandHandler({ store, policy: DEFAULT_POLICY, clock })(CASE, urge('请尽快报到'));
      });
      (await s.when(respond(deptA), { expectedRevision: 0 })).thenRefused(
        PreconditionFailed,
        'COMMAND.PRECONDITION_FAILED',
        /changed while this request was handled/,
      );
    });
  });

  describe('expected revision (If-Match)', () => {
    it('applies the command when the case is at that version', async () => {
      (await given(blow).when(respond(deptA), { expectedRevision: 0 })).thenAppended('DepartmentResponded');
    });

    it('refuses with COMMAND.PRECONDITION_FAILED when the case is at another version, and appends nothing', async () => {
      const s = given(blow, respond(deptA));
      (await s.when(respond(deptB), { expectedRevision: 0 })).thenRefused(PreconditionFailed, 'COMMAND.PRECONDITION_FAILED', /at version 1, not 0/);
      (await s.when(respond(deptB), { expectedRevision: 7 })).thenRefused(PreconditionFailed, 'COMMAND.PRECONDITION_FAILED', /at version 1, not 7/);
      expect(await s.stream()).toHaveLength(2);
    });
  });

  describe('idempotency keys', () => {
    const keyed = (key: string, requestHash = 'hash-1'): CommandOptions => ({ idempotencyKey: key, requestHash });

    it('a repeat returns the first answer, marked replayed, and appends nothing', async () => {
      const s = given(blow);
      const first = (await s.when(respond(deptA, '已报到'), keyed('k1'))).thenAppended('DepartmentResponded');
      await s.other(CASE, urge('请办理'));
      const again = await s.when(respond(deptA, '已报到'), keyed('k1'));
      again.thenAppended();
      expect(again.outcome).toEqual({ ...first, replayed: true });
    });

    it('records the key, scoped by the caller’s org, with the request’s hash', async () => {
      const result = await given(blow).when(respond(deptA), keyed('k1'));
      expect(result.appended[0].metadata).toMatchObject({ idempotencyKey: `${deptA.orgId}/k1`, requestHash: 'hash-1' });
    });

    it('refuses the key with another request (COMMAND.IDEMPOTENCY_KEY_REUSED), and appends nothing', async () => {
      const s = given(blow);
      await s.when(urge('第一次'), keyed('k1', 'hash-first'));
      (await s.when(urge('另一内容'), keyed('k1', 'hash-other'))).thenRefused(IdempotencyKeyReused, 'COMMAND.IDEMPOTENCY_KEY_REUSED');
      expect((await s.stream()).map((e) => e.type)).toEqual(['WhistleBlown', 'DepartmentUrged']);
    });

    it('keeps the keys of different orgs apart', async () => {
      const s = given(blow);
      (await s.when(respond(deptA), keyed('same'))).thenAppended('DepartmentResponded');
      (await s.when(respond(deptB), keyed('same', 'hash-of-b'))).thenAppended('DepartmentResponded');
    });

    it('replays when the same request under the key committed between the replay check and the append', async () => {
      const key = `k-${randomUUID()}`;
      const s = given(blow).withInterleaving(async (store, attempt) => {
        if (attempt === 1) await caseCommandHandler({ store, policy: DEFAULT_POLICY, clock })(CASE, respond(deptA, '已报到'), keyed(key));
      });
      const result = await s.when(respond(deptA, '已报到'), keyed(key));
      expect(result.outcome).toMatchObject({ replayed: true, view: { version: 1 } });
      expect(result.appended).toHaveLength(1);
      expect(result.appended[0].metadata.idempotencyKey).toBe(`${deptA.orgId}/${key}`);
    });

    it('leaves the key unused when the command was refused, so a corrected retry under it goes through', async () => {
      const s = given(blow);
      (await s.when(complete(deptA), keyed('k1'))).thenRefused(DomainError, 'CASE.INVALID_STATE');
      (await s.when(respond(deptA), keyed('k1', 'hash-2'))).thenAppended('DepartmentResponded');
    });
  });
});

describe('observing commands', () => {
  const TRACE = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

  it('tells the observer each command’s type, outcome and appended events, and records the trace context', async () => {
    const store = new MemoryEventStore({ clock: () => clock.now() });
    const seen: import('./case-command-handler').CommandObservation[] = [];
    const handle = caseCommandHandler({ store, policy: DEFAULT_POLICY, clock, observe: (o) => seen.push(o) });

    await handle(CASE, blow, { traceparent: TRACE, idempotencyKey: 'k-1', requestHash: 'h' });
    await handle(CASE, blow, { traceparent: TRACE, idempotencyKey: 'k-1', requestHash: 'h' });
    await expect(handle(CASE, respond(otherTownship))).rejects.toThrow();
    await handle(CASE, respond(deptA));

    expect(seen.map(({ type, outcome, events }) => ({ type, outcome, events }))).toEqual([
      { type: 'BlowWhistle', outcome: 'appended', events: ['WhistleBlown'] },
      { type: 'BlowWhistle', outcome: 'replayed', events: [] },
      { type: 'RespondToCase', outcome: 'CASE.NOT_FOUND', events: [] },
      { type: 'RespondToCase', outcome: 'appended', events: ['DepartmentResponded'] },
    ]);
    expect(seen[0].appendSeconds).toBeGreaterThanOrEqual(0);
    expect(seen[2].appendSeconds).toBeNull();
    const events = await store.readStream(caseStream(CASE));
    expect(events[0].metadata.traceparent).toBe(TRACE);
    expect(events[1].metadata).not.toHaveProperty('traceparent');
  });
});
