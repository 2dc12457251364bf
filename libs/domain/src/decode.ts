import { CASE_EVENT_SCHEMA_VERSION, type CaseEvent } from './events';

/** An event as a store holds it: its type and data, and (where the reader has it) the schema version it was written in. */
export interface EncodedEvent {
  type: string;
  data: unknown;
  metadata?: { schemaVersion?: unknown };
}

/** The type and data of an event in one schema version, not yet read as a CaseEvent. */
export interface RawEvent {
  type: string;
  data: Record<string, unknown>;
}

/** Lifts an event written in version `v` (its key in the registry) to version `v + 1`. */
export type Upcaster = (event: RawEvent) => RawEvent;

/** The registry of upcasters, by the version each reads. Empty while no schema has changed incompatibly. */
export const CASE_EVENT_UPCASTERS: ReadonlyMap<number, Upcaster> = new Map();

/** Thrown when an event cannot be read as a current CaseEvent: nothing folds a shape it does not know. */
export class UndecodableEvent extends Error {
  readonly code = 'EVENT.UNDECODABLE';
  constructor(message: string) {
    super(message);
    this.name = 'UndecodableEvent';
  }
}

/**
 * A decoder over a registry of upcasters: an event in the current version is read as it is (no copy: this runs for
 * every event of a rebuild), an older one goes through each upcaster from its version up.
 */
export function caseEventDecoder(upcasters: ReadonlyMap<number, Upcaster>, current: number = CASE_EVENT_SCHEMA_VERSION) {
  return function decode(event: EncodedEvent): CaseEvent {
    const version = event.metadata?.schemaVersion;
    if (version === undefined) {
      // Readers that skip the metadata (readAllFoldable) do not know the version; that is safe only while every
      // stored event is of the current one, i.e. while there is nothing to upcast.
      if (upcasters.size === 0) return withDefaults(event as unknown as CaseEvent);
      throw new UndecodableEvent(`${event.type}: no schema version to upcast from (read the event with its metadata)`);
    }
    if (version === current) return withDefaults(event as unknown as CaseEvent);
    if (typeof version !== 'number' || !Number.isInteger(version) || version > current) {
      throw new UndecodableEvent(`${event.type}: schema version ${String(version)} is not one this release reads (current ${current})`);
    }
    let raw: RawEvent = { type: event.type, data: event.data as Record<string, unknown> };
    for (let v = version; v < current; v++) {
      const upcast = upcasters.get(v);
      if (!upcast) throw new UndecodableEvent(`${event.type}: no upcaster from schema version ${v} to ${v + 1}`);
      raw = upcast(raw);
    }
    return withDefaults(raw as unknown as CaseEvent);
  };
}

/**
 * Optional fields added without a version bump, filled as the rules read them: a whistle recorded before leads
 * (牵头) existed is led by its first department. Copies only such an event.
 */
function withDefaults(event: CaseEvent): CaseEvent {
  if (event.type === 'WhistleBlown' && event.data.leadDepartmentId === undefined && event.data.parts?.length > 0) {
    return { ...event, data: { ...event.data, leadDepartmentId: event.data.parts[0].departmentId } };
  }
  return event;
}

/** A stored event as the current CaseEvent. */
export const decode = caseEventDecoder(CASE_EVENT_UPCASTERS);
