import {
  caseStream,
  addMinutes,
  CASE_EVENT_SCHEMA_VERSION,
  decide,
  DEFAULT_POLICY,
  DomainError,
  evolve,
  type CaseCommand,
  type CaseEvent,
  type CasePolicy,
  type CaseState,
  type CaseStateOrNone,
  type ClockInstants,
} from '@chuishao/domain';
import type { EventData, ExpectedRevision, RecordedEvent } from '@chuishao/event-store';
import { policyBookOf } from '@chuishao/policy';
import { seededRandom, seededUuid } from './random';

/** One command's events, as one append to the case's stream would write them. */
export interface CaseAppend {
  caseId: string;
  streamName: string;
  expectedRevision: ExpectedRevision;
  events: EventData[];
  /** The decider's events (typed), the same as `events[i].data`. */
  decided: CaseEvent[];
  command: CaseCommand;
}

export interface RecorderOptions {
  /** The policy in force under each calendar (0, 1, 2 …: `nextCalendar()` moves on). Default: `shiftingCalendars`. */
  policy?: (calendar: number) => CasePolicy;
  /** Seeds the event ids (and correlation ids), so a history is the same on every run. */
  idSeed?: number;
  /** Keep every event as a RecordedEvent in `events` (in-memory users); off for large streamed histories. */
  keepEvents?: boolean;
}

/** The default county's policy with the moves' limits of the bundled policy version in force, named as the service names them. */
function bundledPolicy(): CasePolicy {
  const inForce = policyBookOf(null).inForceAt(Date.now());
  return { ...DEFAULT_POLICY, workflow: { ...inForce.limits, version: inForce.version } };
}

/**
 * The default county's policy (with the bundled policy version's limits) with a provisional calendar that each
 * `nextCalendar()` replaces by one whose deadlines fall 37 minutes later, so a re-basing (RebaseDeadlines) always
 * changes something.
 */
export function shiftingCalendars(base: CasePolicy = bundledPolicy()): (calendar: number) => CasePolicy {
  return (calendar) => ({
    ...base,
    schedule: (countyId, starts) => {
      const s = base.schedule(countyId, starts);
      const shift = (c: ClockInstants | undefined) => c && { remindAt: addMinutes(c.remindAt, 37 * calendar), dueAt: addMinutes(c.dueAt, 37 * calendar) };
      return {
        response: shift(s.response),
        completion: shift(s.completion),
        calendarVersion: `script-${calendar}+provisional-2099`,
        provisionalYears: ['2099'],
      };
    },
  });
}

/**
 * The one place histories are made: a command goes through the domain's decide() on the case's folded
 * state, so every event is one the service could have recorded. Records positions and revisions as a
 * store would; `recordedLagMs` says when the store records it relative to when it occurred.
 */
export class CaseRecorder {
  /** Every event so far, as the store would return it (if `keepEvents`). */
  readonly events: RecordedEvent[] = [];
  private readonly states = new Map<string, { state: CaseState; revision: number }>();
  private position = 0;
  private calendarIndex = 0;
  private policyNow: CasePolicy;
  private readonly policyOf: (calendar: number) => CasePolicy;
  private readonly uuid: () => string;
  private readonly keep: boolean;

  constructor(options: RecorderOptions = {}) {
    this.policyOf = options.policy ?? shiftingCalendars();
    this.policyNow = this.policyOf(0);
    this.uuid = seededUuid(seededRandom((options.idSeed ?? 1) ^ 0x5eed));
    this.keep = options.keepEvents ?? true;
  }

  get policy(): CasePolicy {
    return this.policyNow;
  }

  get calendar(): number {
    return this.calendarIndex;
  }

  /** Another calendar comes into force: open parts can now be re-based (RebaseDeadlines). */
  nextCalendar(): void {
    this.calendarIndex++;
    this.policyNow = this.policyOf(this.calendarIndex);
  }

  /** A fresh id from the seeded stream (case ids, request ids). */
  newId(): string {
    return this.uuid();
  }

  /** Runs the command; throws the DomainError if the domain refuses it. Records nothing for no events. */
  record(command: CaseCommand, recordedLagMs = 0): CaseAppend {
    const current = this.states.get(command.caseId);
    const decided = decide(command, current?.state ?? null, this.policyNow);
    const revision = current?.revision ?? -1;
    const requestId = this.uuid();
    const { orgId, role, userId } = command.actor;
    const events: EventData[] = decided.map((e) => ({
      id: this.uuid(),
      type: e.type,
      data: e.data as unknown as Record<string, unknown>,
      metadata: {
        actor: { orgId, role, userId },
        correlationId: requestId,
        causationId: requestId,
        schemaVersion: CASE_EVENT_SCHEMA_VERSION,
        command: command.type,
      },
    }));
    if (decided.length > 0) {
      this.states.set(command.caseId, { state: decided.reduce<CaseStateOrNone>(evolve, current?.state ?? null)!, revision: revision + decided.length });
    }
    if (this.keep) {
      const recordedAt = new Date(Date.parse(command.now) + recordedLagMs).toISOString();
      events.forEach((e, i) => {
        this.events.push({ ...e, streamName: caseStream(command.caseId), revision: revision + 1 + i, position: ++this.position, recordedAt });
      });
    }
    return { caseId: command.caseId, streamName: caseStream(command.caseId), expectedRevision: current ? revision : 'no_stream', events, decided, command };
  }

  /** Like run, but a command the domain refuses gives null (random histories skip it). */
  tryRecord(command: CaseCommand, recordedLagMs = 0): CaseAppend | null {
    try {
      return this.record(command, recordedLagMs);
    } catch (error) {
      if (error instanceof DomainError) return null;
      throw error;
    }
  }

  state(caseId: string): CaseState | null {
    return this.states.get(caseId)?.state ?? null;
  }

  caseIds(): string[] {
    return [...this.states.keys()];
  }

  /** Forgets a finished case (long streamed histories keep only open ones). */
  forget(caseId: string): void {
    this.states.delete(caseId);
  }
}
