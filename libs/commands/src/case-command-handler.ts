import { randomUUID } from 'node:crypto';
import {
  CASE_EVENT_SCHEMA_VERSION,
  CaseNotFound,
  canSee,
  caseStream,
  decide,
  decode,
  evolve,
  foldCase,
  toCaseView,
  type CaseCommand,
  type CaseEvent,
  type CasePolicy,
  type CaseView,
} from '@chuishao/domain';
import { IdempotencyKeyUsed, WrongExpectedRevision, type EventData, type EventStore } from '@chuishao/event-store';
import { CaseLoader, type LoadedCase } from './case-loader';
import { CommandConflict, IdempotencyKeyReused, PreconditionFailed } from './errors';

export interface CommandOutcome {
  view: CaseView;
  /** True when an idempotency key matched an earlier request: nothing was appended now. */
  replayed: boolean;
}

/** Builds the command at the server's time `now` (ISO-8601); called again for each attempt. */
export type CommandBuilder = (now: string) => CaseCommand;

export interface CommandOptions {
  /** Apply only to this version of the case (If-Match); otherwise PreconditionFailed and nothing is appended. */
  expectedRevision?: number | null;
  /** The caller's key for this request, scoped by the actor's org: a repeat returns the first answer. */
  idempotencyKey?: string | null;
  /** What the request said (with a key): the same key with another fingerprint is refused (IdempotencyKeyReused). */
  requestHash?: string;
  /** Ties together everything one user action caused; a new one when not given. */
  correlationId?: string;
  /** The direct cause of the events (the request, the message); a new one when not given. */
  causationId?: string;
  /** The W3C trace context of the request (`traceparent`), recorded on the events and passed on by the relay. */
  traceparent?: string;
}

/** What one command came to, for whoever counts commands (the API's metrics); nothing here is personal data. */
export interface CommandObservation {
  /** The command's type (`BlowWhistle`, …); `unknown` when it failed before it was built. */
  type: string;
  /** `appended`, `replayed` (an idempotent repeat), `unchanged` (nothing to record), or the refusal's code. */
  outcome: string;
  /** The types of the events appended (empty unless `appended`). */
  events: string[];
  /** Time spent in the store's append, in seconds, when the command got that far. */
  appendSeconds: number | null;
}

export type CaseCommandHandler = (caseId: string, build: CommandBuilder, options?: CommandOptions) => Promise<CommandOutcome>;

export interface CaseCommandDependencies {
  store: EventStore;
  policy: CasePolicy;
  clock: { now(): Date };
  /** Shared with readers of the same store, so their folds warm the cache the first attempt decides on. */
  loader?: CaseLoader;
  /** Fresh reads that may lose the race before the command gives up with CommandConflict. */
  maxAttempts?: number;
  /** A line per appended command. */
  debug?: (line: string) => void;
  /** Told about every command once it is answered or refused (it must not throw). */
  observe?: (observation: CommandObservation) => void;
}

const MAX_ATTEMPTS = 5;

interface Decided {
  command: CaseCommand;
  events: CaseEvent[];
}

/**
 * The one command path: load the case → decide → append with the revision it was decided on →
 * on a concurrent write, decide again on the new state. Every event is stamped with the server's
 * time and the actor, correlation and causation: the event metadata is the audit log.
 */
export function caseCommandHandler(deps: CaseCommandDependencies): CaseCommandHandler {
  const { store, policy, clock } = deps;
  const loader = deps.loader ?? new CaseLoader(store);
  const maxAttempts = deps.maxAttempts ?? MAX_ATTEMPTS;

  const observe = deps.observe;
  if (!observe) return handle;
  return async function observed(caseId, build, options) {
    const seen: CommandObservation = { type: 'unknown', outcome: 'unchanged', events: [], appendSeconds: null };
    const tracked: CommandBuilder = (now) => {
      const command = build(now);
      seen.type = command.type;
      return command;
    };
    try {
      const outcome = await handle(caseId, tracked, options, seen);
      if (outcome.replayed) seen.outcome = 'replayed';
      return outcome;
    } catch (error) {
      seen.outcome = typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : 'error';
      seen.events = [];
      throw error;
    } finally {
      observe(seen);
    }
  };

  async function handle(caseId: string, build: CommandBuilder, options: CommandOptions = {}, seen?: CommandObservation): Promise<CommandOutcome> {
    const expected = options.expectedRevision ?? null;
    const requestHash = options.requestHash ?? '';
    const correlationId = options.correlationId ?? randomUUID();
    const causationId = options.causationId ?? randomUUID();
    // Keys are the caller's: two orgs choosing the same key do not meet.
    const orgId = options.idempotencyKey ? build(clock.now().toISOString()).actor.orgId : '';
    const key = options.idempotencyKey ? `${orgId}/${options.idempotencyKey}` : undefined;
    if (key) {
      const replay = await replayOf(key, orgId, requestHash);
      if (replay) return replay;
    }
    // The first try decides on the cached fold without reading the store: an append is checked against the stream's
    // revision anyway, so a stale cache can only cost a retry. Any answer the store does not check (a refusal,
    // nothing to append, a failed precondition) is given only after deciding again on a fresh read.
    let fromStore = false;
    for (let attempt = 1; attempt <= maxAttempts; ) {
      const loaded = fromStore ? await loader.load(caseId) : loader.cached(caseId);
      let decided: Decided;
      try {
        decided = decideOn(loaded, caseId, expected, build);
      } catch (refusal) {
        if (fromStore) throw refusal;
        fromStore = true;
        continue;
      }
      const { state, version } = loaded;
      const { command, events } = decided;
      // Nothing to record (e.g. the watcher found no clock due): answer with the case as it is.
      if (events.length === 0) {
        if (fromStore) return { view: toCaseView(state!, version, loaded.position), replayed: false };
        fromStore = true;
        continue;
      }
      try {
        const metadata = { correlationId, causationId, key, requestHash, traceparent: options.traceparent };
        const started = seen ? performance.now() : 0;
        const result = await store
          .append(
            caseStream(caseId),
            events.map((e) => toEventData(e, command, metadata)),
            {
              expectedRevision: state ? version : 'no_stream',
              idempotencyKey: key,
            },
          )
          .finally(() => {
            if (seen) seen.appendSeconds = (performance.now() - started) / 1000;
          });
        if (seen) {
          seen.outcome = 'appended';
          seen.events = events.map((e) => e.type);
        }
        deps.debug?.(`${command.type} case=${caseId} by ${command.actor.orgId}/${command.actor.userId} → ${events.map((e) => e.type).join(',')}`);
        const next = events.reduce(evolve, state)!;
        loader.remember(caseId, { state: next, version: result.nextRevision, position: result.position });
        return { view: toCaseView(next, result.nextRevision, result.position), replayed: false };
      } catch (error) {
        // Another request under the same key committed between our replay check and this append.
        if (error instanceof IdempotencyKeyUsed && key) {
          const replay = await replayOf(key, orgId, requestHash);
          if (replay) return replay;
        }
        if (!(error instanceof WrongExpectedRevision)) throw error;
        if (expected !== null) throw new PreconditionFailed('the case changed while this request was handled');
        // Only a race lost on a fresh read counts as an attempt: a stale cache is not contention.
        if (fromStore) attempt++;
        fromStore = true;
      }
    }
    throw new CommandConflict(`case ${caseId} kept changing; ${maxAttempts} attempts lost the race, nothing was written`);
  }

  /** The events a command yields on one state of the case, or why it is refused there. */
  function decideOn(loaded: LoadedCase, caseId: string, expected: number | null, build: CommandBuilder): Decided {
    const { state, version } = loaded;
    const command = build(clock.now().toISOString());
    // A case the actor may not see answers as one that does not exist.
    if (command.type !== 'BlowWhistle' && (!state || !canSee(command.actor, state))) throw CaseNotFound.because(caseId);
    if (expected !== null && expected !== version) throw new PreconditionFailed(`the case is at version ${version}, not ${expected}`);
    return { command, events: decide(command, state, policy) };
  }

  /** The first answer to a request under `key`, rebuilt from what it appended; null when the key is unused. */
  async function replayOf(key: string, orgId: string, requestHash: string): Promise<CommandOutcome | null> {
    const earlier = await store.findIdempotentAppend(key);
    if (!earlier) return null;
    const history = await store.readStream(earlier.streamName, { toRevision: earlier.lastRevision });
    const first = history[earlier.firstRevision];
    if (!first || first.metadata.requestHash !== requestHash || first.metadata.actor.orgId !== orgId) {
      throw new IdempotencyKeyReused('this Idempotency-Key was used with a different request');
    }
    const state = foldCase(history.map(decode))!;
    return { view: toCaseView(state, earlier.lastRevision, earlier.position), replayed: true };
  }
}

function toEventData(
  event: CaseEvent,
  command: CaseCommand,
  meta: { correlationId: string; causationId: string; key: string | undefined; requestHash: string; traceparent: string | undefined },
): EventData {
  const { orgId, role, userId } = command.actor;
  return {
    id: randomUUID(),
    type: event.type,
    data: event.data as unknown as Record<string, unknown>,
    metadata: {
      actor: { orgId, role, userId },
      correlationId: meta.correlationId,
      causationId: meta.causationId,
      schemaVersion: CASE_EVENT_SCHEMA_VERSION,
      command: command.type,
      ...(meta.traceparent ? { traceparent: meta.traceparent } : {}),
      ...(meta.key ? { idempotencyKey: meta.key, requestHash: meta.requestHash } : {}),
    },
  };
}
