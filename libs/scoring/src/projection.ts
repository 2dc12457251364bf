import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import { isCaseStream } from '@chuishao/domain';
import {
  documentProjection,
  KeyedRows,
  KeylessRows,
  liveProjection,
  type DocumentModel,
  type GenerationalProjection,
  type GenerationTables,
  type Projection,
  type SessionOptions,
  type TableRows,
  type TableSpec,
} from '@chuishao/projections';
import {
  applyScoringEvent,
  noMoves,
  SCORED_EVENT_TYPES,
  type CaseFacts,
  type DeadlineChange,
  type FactsStore,
  type PartFacts,
  type PartMoves,
  type ReviewFacts,
  type RoundFacts,
} from './facts';

/**
 * The `scoring-parts` projection: the part facts of facts.ts in read-model tables, one row per scoring
 * part and one per case, per generation (scoring_g<n>_parts / scoring_g<n>_cases). Facts carry no
 * policy: weights and ranking apply when a scorecard is read, so a policy change needs no rebuild.
 *
 * Batch-wise: every row a batch touches is read once, folded in memory, written once, with cached
 * prepared statements. Idempotent twice over: the runner skips events at or before its checkpoint,
 * and each case row remembers the last position applied to it, so a redelivered event changes nothing.
 */
export const SCORING_PROJECTION = 'scoring-parts';

const TABLE = /^scoring_g(\d+)_(parts|cases)$/;
export const tablesOf = (generation: number) => ({ parts: `scoring_g${generation}_parts`, cases: `scoring_g${generation}_cases` });

export const PART_COLUMNS = [
  'holding_id',
  'case_id',
  'part_id',
  'seq',
  'county_id',
  'township_id',
  'department_id',
  'received_by',
  'from_department_id',
  'assigned_at',
  'assigned_known',
  'response_due_at',
  'reported_at',
  'reported_known',
  'due1',
  'completed1_at',
  'completed1_known',
  'rework',
  'reviews',
  'end_kind',
  'end_at',
  'end_known',
  'to_department_id',
  'deadline_changes',
  'moves',
  'position',
] as const;

export interface PartRow {
  holding_id: string;
  case_id: string;
  part_id: string;
  seq: number;
  county_id: string;
  township_id: string;
  department_id: string;
  received_by: string;
  from_department_id: string | null;
  assigned_at: number;
  assigned_known: number;
  response_due_at: number;
  reported_at: number | null;
  reported_known: number | null;
  due1: number;
  completed1_at: number | null;
  completed1_known: number | null;
  rework: string | null;
  reviews: string | null;
  end_kind: string | null;
  end_at: number | null;
  end_known: number | null;
  to_department_id: string | null;
  deadline_changes: string | null;
  moves: string | null;
  position: number;
}

/** The moves column: null while the part is not the lead and nothing of 延期/退单/申诉 happened on it. */
interface StoredMoves {
  l?: 1;
  x?: [round: number, dueAt: number, at: number, known: number][];
  r?: [at: number, known: number][];
  a?: [round: number, upheld: 0 | 1, at: number, known: number][];
}

function movesText(m: PartMoves): string | null {
  if (!m.lead && m.extensions.length === 0 && m.returnsRejected.length === 0 && m.appeals.length === 0) return null;
  const stored: StoredMoves = {};
  if (m.lead) stored.l = 1;
  if (m.extensions.length) stored.x = m.extensions.map((e) => [e.round, e.dueAt, e.at, e.known]);
  if (m.returnsRejected.length) stored.r = m.returnsRejected.map((r) => [r.at, r.known]);
  if (m.appeals.length) stored.a = m.appeals.map((a) => [a.round, a.upheld ? 1 : 0, a.at, a.known]);
  return JSON.stringify(stored);
}

function movesOf(text: string | null): PartMoves {
  if (text === null) return noMoves();
  const s = JSON.parse(text) as StoredMoves;
  return {
    lead: s.l === 1,
    extensions: (s.x ?? []).map(([round, dueAt, at, known]) => ({ round, dueAt, at, known })),
    returnsRejected: (s.r ?? []).map(([at, known]) => ({ at, known })),
    appeals: (s.a ?? []).map(([round, upheld, at, known]) => ({ round, upheld: upheld === 1, at, known })),
  };
}

type ReworkTuple = [round: number, dueAt: number, openedAt: number, openedKnown: number, completedAt: number | null, completedKnown: number | null];
type ReviewTuple = [round: number, resolved: 0 | 1, satisfaction: ReviewFacts['satisfaction'], at: number, known: number];
type ChangeTuple = [kind: DeadlineChange['kind'], round: number, dueAt: number, at: number, known: number];

function toRow(p: PartFacts): SQLInputValue[] {
  const [first, ...rework] = p.rounds;
  return [
    p.holdingId,
    p.caseId,
    p.partId,
    p.seq,
    p.countyId,
    p.townshipId,
    p.departmentId,
    p.receivedBy,
    p.fromDepartmentId,
    p.assigned.at,
    p.assigned.known,
    p.responseDueAt,
    p.reportedIn?.at ?? null,
    p.reportedIn?.known ?? null,
    first.dueAt,
    first.completed?.at ?? null,
    first.completed?.known ?? null,
    rework.length > 0
      ? JSON.stringify(rework.map((r): ReworkTuple => [r.round, r.dueAt, r.opened.at, r.opened.known, r.completed?.at ?? null, r.completed?.known ?? null]))
      : null,
    p.reviews.length > 0 ? JSON.stringify(p.reviews.map((r): ReviewTuple => [r.round, r.resolved ? 1 : 0, r.satisfaction, r.at, r.known])) : null,
    p.end?.kind ?? null,
    p.end?.at ?? null,
    p.end?.known ?? null,
    p.end?.toDepartmentId ?? null,
    p.deadlineChanges.length > 0 ? JSON.stringify(p.deadlineChanges.map((c): ChangeTuple => [c.kind, c.round, c.dueAt, c.at, c.known])) : null,
    movesText(p.moves),
    p.position,
  ];
}

export function fromRow(r: PartRow): PartFacts {
  const assigned = { at: r.assigned_at, known: r.assigned_known };
  const rounds: RoundFacts[] = [
    {
      round: 1,
      dueAt: r.due1,
      opened: assigned,
      completed: r.completed1_at === null ? null : { at: r.completed1_at, known: r.completed1_known! },
    },
  ];
  if (r.rework) {
    for (const [round, dueAt, openedAt, openedKnown, completedAt, completedKnown] of JSON.parse(r.rework) as ReworkTuple[]) {
      rounds.push({
        round,
        dueAt,
        opened: { at: openedAt, known: openedKnown },
        completed: completedAt === null ? null : { at: completedAt, known: completedKnown! },
      });
    }
  }
  return {
    holdingId: r.holding_id,
    caseId: r.case_id,
    partId: r.part_id,
    seq: r.seq,
    countyId: r.county_id,
    townshipId: r.township_id,
    departmentId: r.department_id,
    receivedBy: r.received_by as PartFacts['receivedBy'],
    fromDepartmentId: r.from_department_id,
    assigned,
    responseDueAt: r.response_due_at,
    reportedIn: r.reported_at === null ? null : { at: r.reported_at, known: r.reported_known! },
    rounds,
    reviews: r.reviews
      ? (JSON.parse(r.reviews) as ReviewTuple[]).map(([round, resolved, satisfaction, at, known]) => ({
          round,
          resolved: resolved === 1,
          satisfaction,
          at,
          known,
        }))
      : [],
    deadlineChanges: r.deadline_changes
      ? (JSON.parse(r.deadline_changes) as ChangeTuple[]).map(([kind, round, dueAt, at, known]) => ({ kind, round, dueAt, at, known }))
      : [],
    end:
      r.end_kind === null
        ? null
        : { kind: r.end_kind as NonNullable<PartFacts['end']>['kind'], at: r.end_at!, known: r.end_known!, toDepartmentId: r.to_department_id },
    moves: movesOf(r.moves),
    position: r.position,
  };
}

/** The columns a later event can change; the others are set once, so their indexes never move on update. */
const MUTABLE_COLUMNS = [
  'reported_at',
  'reported_known',
  'completed1_at',
  'completed1_known',
  'rework',
  'reviews',
  'end_kind',
  'end_at',
  'end_known',
  'to_department_id',
  'deadline_changes',
  'moves',
  'position',
] as const;

interface FactRows {
  cases: TableRows;
  parts: TableRows;
}

function factRows(db: DatabaseSync, generation: number, options: SessionOptions = {}): FactRows {
  const t = tablesOf(generation);
  const specs: Record<keyof FactRows, TableSpec> = {
    cases: {
      table: t.cases,
      columns: ['case_id', 'county_id', 'township_id', 'known', 'position', 'current'],
      key: ['case_id'],
      mutable: ['known', 'position', 'current'],
      read: ['county_id', 'township_id', 'known', 'position', 'current'],
    },
    parts: { table: t.parts, columns: PART_COLUMNS, key: ['holding_id'], mutable: MUTABLE_COLUMNS, read: PART_COLUMNS },
  };
  const rowsOf = (spec: TableSpec) => (options.keyless ? new KeylessRows(db, spec) : KeyedRows.of(db, spec, options));
  return { cases: rowsOf(specs.cases), parts: rowsOf(specs.parts) };
}

/**
 * One case's facts as a document: its case row and the part rows its events touch, each read at most
 * once while the session keeps the document, written once per flush when changed. The reducer
 * (applyScoringEvent) reads and writes it as its FactsStore.
 */
class CaseDocument implements FactsStore {
  /** Parts read or made so far, by holding id (null: no such row). */
  private readonly parts = new Map<string, PartFacts | null>();
  private readonly dirtyParts: PartFacts[] = [];
  private dirtyCase = false;
  private facts: CaseFacts | null;

  constructor(
    private readonly rows: FactRows,
    readonly caseId: string,
  ) {
    const row = rows.cases.get(caseId) as { county_id: string; township_id: string; known: number; position: number; current: string } | undefined;
    this.facts = row
      ? { caseId, countyId: row.county_id, townshipId: row.township_id, known: row.known, position: row.position, current: JSON.parse(row.current) }
      : null;
  }

  getCase(caseId: string): CaseFacts | undefined {
    return caseId === this.caseId ? (this.facts ?? undefined) : undefined;
  }

  putCase(facts: CaseFacts): void {
    if (facts.caseId !== this.caseId) throw new Error(`scoring: case ${facts.caseId} folded into the document of ${this.caseId}`);
    this.facts = facts;
    this.dirtyCase = true;
  }

  getPart(holdingId: string): PartFacts | undefined {
    let facts = this.parts.get(holdingId);
    if (facts === undefined) {
      const row = this.rows.parts.get(holdingId) as PartRow | undefined;
      facts = row ? fromRow(row) : null;
      this.parts.set(holdingId, facts);
    }
    return facts ?? undefined;
  }

  putPart(facts: PartFacts): void {
    if (this.parts.get(facts.holdingId) !== facts) this.parts.set(facts.holdingId, facts);
    if (!this.dirtyParts.includes(facts)) this.dirtyParts.push(facts);
  }

  write(): void {
    const c = this.facts;
    if (this.dirtyCase && c) this.rows.cases.put([c.caseId, c.countyId, c.townshipId, c.known, c.position, JSON.stringify(c.current)]);
    for (const p of this.dirtyParts) this.rows.parts.put(toRow(p));
    this.dirtyCase = false;
    this.dirtyParts.length = 0;
  }
}

/** Cases a runner's session keeps in memory between transactions, with their parts. */
const SESSION_CACHE_CASES = 10_000;

/** Scored events, each folded into the document of its case (one stream's). */
const scoringDocuments: DocumentModel<CaseDocument, FactRows> = {
  keep: SESSION_CACHE_CASES,
  // applyScoringEvent passes over the other types as well; skipping them here saves their documents.
  canHandle: (event) => SCORED_EVENT_TYPES.has(event.type) && isCaseStream(event.streamName),
  keyOf: (event) => (event.data as { caseId: string }).caseId,
  rows: (db, generation, options) => factRows(db, generation, options),
  load: (rows, caseId) => new CaseDocument(rows, caseId),
  evolve(doc, event) {
    applyScoringEvent(doc, event);
    return doc;
  },
  write: (_rows, doc) => doc.write(),
};

const scoringTables: GenerationTables = {
  name: SCORING_PROJECTION,
  // 1: unique keys as indexes (dropIndexes). 2: deadline_changes (re-based deadlines). 3: moves (牵头, 延期, 退单, 申诉).
  version: 3,

  setupGeneration(db, generation) {
    const t = tablesOf(generation);
    db.exec(`
      CREATE TABLE IF NOT EXISTS ${t.cases} (
        case_id TEXT NOT NULL,
        county_id TEXT NOT NULL,
        township_id TEXT NOT NULL,
        known INTEGER NOT NULL,
        position INTEGER NOT NULL,
        current TEXT NOT NULL
      );
      CREATE UNIQUE INDEX IF NOT EXISTS ${t.cases}_key ON ${t.cases} (case_id);
      CREATE TABLE IF NOT EXISTS ${t.parts} (
        holding_id TEXT NOT NULL,
        case_id TEXT NOT NULL,
        part_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        county_id TEXT NOT NULL,
        township_id TEXT NOT NULL,
        department_id TEXT NOT NULL,
        received_by TEXT NOT NULL,
        from_department_id TEXT,
        assigned_at INTEGER NOT NULL,
        assigned_known INTEGER NOT NULL,
        response_due_at INTEGER NOT NULL,
        reported_at INTEGER,
        reported_known INTEGER,
        due1 INTEGER NOT NULL,
        completed1_at INTEGER,
        completed1_known INTEGER,
        rework TEXT,
        reviews TEXT,
        end_kind TEXT,
        end_at INTEGER,
        end_known INTEGER,
        to_department_id TEXT,
        deadline_changes TEXT,
        moves TEXT,
        position INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX IF NOT EXISTS ${t.parts}_key ON ${t.parts} (holding_id);
      CREATE INDEX IF NOT EXISTS ${t.parts}_county ON ${t.parts} (county_id, assigned_at);
      CREATE INDEX IF NOT EXISTS ${t.parts}_position ON ${t.parts} (position);
    `);
  },

  dropIndexes(db, generation) {
    const { parts, cases } = tablesOf(generation);
    for (const index of [`${cases}_key`, `${parts}_key`, `${parts}_county`, `${parts}_position`]) db.exec(`DROP INDEX IF EXISTS ${index}`);
  },

  dropGeneration(db, generation) {
    const t = tablesOf(generation);
    db.exec(`DROP TABLE IF EXISTS ${t.parts}; DROP TABLE IF EXISTS ${t.cases};`);
  },

  existingGenerations(db) {
    const rows = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'scoring_g%'").all() as { name: string }[];
    return [
      ...new Set(
        rows
          .map((r) => TABLE.exec(r.name))
          .filter((m) => m !== null)
          .map((m) => Number(m![1])),
      ),
    ].sort((a, b) => a - b);
  },
};

export const scoringGenerations: GenerationalProjection = documentProjection(scoringTables, scoringDocuments);

/** What the live runner runs (the embedded service and apps/projector): `new ProjectionRunner(store, db, scoringPartsProjection)`. */
export const scoringPartsProjection: Projection = liveProjection(scoringGenerations);

/** Creates the tables a reader needs (the API's own read connection), as caseInboxProjection.setup does. */
export function setupScoringReadModel(db: DatabaseSync): void {
  scoringPartsProjection.setup(db);
}
