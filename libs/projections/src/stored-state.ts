import { createHash } from 'node:crypto';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import {
  noWorkflow,
  type CaseState,
  type CaseStatus,
  type Category,
  type DeadlineBasis,
  type Location,
  type MatterLimits,
  type PartState,
  type PartWorkflow,
  type Review,
  type Transfer,
} from '@chuishao/domain';

/**
 * How the inbox stores a case's state: a JSON array with the fields in a fixed order (names written
 * once, here, instead of in every row: they were ~40% of the text), without what the row holds in its
 * own columns (ids, status, category, raisedAt, title, description), and with each part's deadline
 * basis and the case's limits replaced by a key into the generation's `shared` table: a county has a
 * few dozen distinct ones across hundreds of thousands of parts.
 *
 * Keys are content hashes, so a key means one value forever: readers cache them without invalidation,
 * and a transaction that rolls back cannot leave a key pointing at nothing that a later one relies on
 * (each transaction writes the shared values its rows use, INSERT OR IGNORE).
 *
 * The tuples below are the format; a field added to CaseState or PartState fails to compile in decode
 * (the object literal misses it) until it has a place here, and the inbox's version goes up with it.
 */
type StoredCase = [
  location: Location,
  matterCode: string | null,
  sourceRef: string | null,
  closedAt: string | null,
  policyVersion: string,
  limits: string,
  parts: StoredPart[],
  involvedDepartmentIds: string[],
  // Trailing and optional: rows written before leads existed are led by their first part.
  leadPartId?: string,
];
type StoredPart = [
  partId: string,
  departmentId: string,
  status: PartState['status'],
  round: number,
  assignedAt: string,
  responseRemindAt: string,
  responseDueAt: string,
  respondedAt: string | null,
  completionRemindAt: string,
  completionDueAt: string,
  basis: string,
  completedAt: string | null,
  result: string | null,
  review: StoredReview | null,
  reviewedRound: number,
  outcome: PartState['outcome'],
  transfers: StoredTransfer[],
  responseAlert: PartState['responseAlert'],
  completionAlert: PartState['completionAlert'],
  urges: number,
  roundStartedAt: string,
  // Trailing and optional: null (or absent, in rows written before) while nothing of 延期/退单/申诉 happened.
  workflow?: PartWorkflow | null,
];
type StoredReview = [round: number, resolved: boolean, satisfaction: Review['satisfaction'], reviewedAt: string, comment: string | null];
type StoredTransfer = [kind: Transfer['kind'], fromDepartmentId: string, toDepartmentId: string, reason: string, at: string];

/** The columns a case is restored from. */
export interface StoredRow {
  case_id: string;
  township_id: string;
  county_id: string;
  status: string;
  category: string;
  raised_at: string;
  title: string;
  description: string;
  state: string;
}

/** The cases table's columns StoredRow names, for SELECTs. */
export const STORED_ROW_COLUMNS = ['case_id', 'township_id', 'county_id', 'status', 'category', 'raised_at', 'title', 'description', 'state'] as const;

const isEmptyWorkflow = (w: PartWorkflow) => w.extensionsApproved === 0 && !w.pendingExtension && !w.pendingReturn && !w.openAppeal && w.appeals.length === 0;

export class StoredStates {
  private readonly values = new Map<string, unknown>();
  /** Distinct shared values are few: each one's text is hashed once. */
  private readonly byText = new Map<string, string>();
  private readonly written = new Set<string>();
  private readonly insert: StatementSync;
  private readonly select: StatementSync;

  constructor(db: DatabaseSync, table: string) {
    this.insert = db.prepare(`INSERT OR IGNORE INTO ${table} (key, value) VALUES (?, ?)`);
    this.select = db.prepare(`SELECT value FROM ${table} WHERE key = ?`);
  }

  /** Call at the start of each writing transaction. */
  startTransaction(): void {
    this.written.clear();
  }

  /** The state column's text; writes the shared values it refers to. */
  store(state: CaseState): string {
    const parts = state.parts.map(
      (p): StoredPart => [
        p.partId,
        p.departmentId,
        p.status,
        p.round,
        p.assignedAt,
        p.responseRemindAt,
        p.responseDueAt,
        p.respondedAt,
        p.completionRemindAt,
        p.completionDueAt,
        this.keyOf(p.basis),
        p.completedAt,
        p.result,
        p.review && [p.review.round, p.review.resolved, p.review.satisfaction, p.review.reviewedAt, p.review.comment ?? null],
        p.reviewedRound,
        p.outcome,
        p.transfers.map((t): StoredTransfer => [t.kind, t.fromDepartmentId, t.toDepartmentId, t.reason, t.at]),
        p.responseAlert,
        p.completionAlert,
        p.urges,
        p.roundStartedAt,
        isEmptyWorkflow(p.workflow) ? null : p.workflow,
      ],
    );
    const stored: StoredCase = [
      state.location,
      state.matterCode ?? null,
      state.sourceRef ?? null,
      state.closedAt,
      state.policyVersion,
      this.keyOf(state.limits),
      parts,
      state.involvedDepartmentIds,
      state.leadPartId,
    ];
    return JSON.stringify(stored);
  }

  restore(row: StoredRow): CaseState {
    const stored = JSON.parse(row.state) as StoredCase;
    // Before inbox version 5 the state was an object: its projector re-projects the table when it starts.
    if (!Array.isArray(stored)) throw new Error(`case inbox: case ${row.case_id} is stored by an older version; its projector re-projects it on start`);
    const [location, matterCode, sourceRef, closedAt, policyVersion, limits, parts, involvedDepartmentIds, leadPartId] = stored;
    return {
      caseId: row.case_id,
      townshipId: row.township_id,
      countyId: row.county_id,
      title: row.title,
      description: row.description,
      category: row.category as Category,
      location,
      ...(matterCode !== null && { matterCode }),
      ...(sourceRef !== null && { sourceRef }),
      status: row.status as CaseStatus,
      raisedAt: row.raised_at,
      closedAt,
      policyVersion,
      limits: this.valueOf<MatterLimits>(limits),
      parts: parts.map((p) => this.restorePart(p)),
      leadPartId: leadPartId ?? parts[0]?.[0] ?? '',
      involvedDepartmentIds,
    };
  }

  private restorePart(p: StoredPart): PartState {
    const [
      partId,
      departmentId,
      status,
      round,
      assignedAt,
      responseRemindAt,
      responseDueAt,
      respondedAt,
      completionRemindAt,
      completionDueAt,
      basis,
      completedAt,
      result,
      review,
      reviewedRound,
      outcome,
      transfers,
      responseAlert,
      completionAlert,
      urges,
      roundStartedAt,
      workflow,
    ] = p;
    return {
      partId,
      departmentId,
      status,
      round,
      assignedAt,
      roundStartedAt,
      responseRemindAt,
      responseDueAt,
      respondedAt,
      completionRemindAt,
      completionDueAt,
      basis: this.valueOf<DeadlineBasis>(basis),
      completedAt,
      result,
      review: review && {
        round: review[0],
        resolved: review[1],
        satisfaction: review[2],
        reviewedAt: review[3],
        ...(review[4] !== null && { comment: review[4] }),
      },
      reviewedRound,
      outcome,
      transfers: transfers.map(([kind, fromDepartmentId, toDepartmentId, reason, at]) => ({ kind, fromDepartmentId, toDepartmentId, reason, at })),
      responseAlert,
      completionAlert,
      urges,
      workflow: workflow ?? noWorkflow(),
    };
  }

  private keyOf(value: object): string {
    const text = JSON.stringify(value);
    let key = this.byText.get(text);
    if (key === undefined) {
      key = createHash('sha256').update(text).digest('base64url').slice(0, 22);
      this.byText.set(text, key);
      this.values.set(key, value);
    }
    if (!this.written.has(key)) {
      this.insert.run(key, text);
      this.written.add(key);
    }
    return key;
  }

  private valueOf<T>(key: string): T {
    let value = this.values.get(key);
    if (value === undefined) {
      const row = this.select.get(key) as { value: string } | undefined;
      if (!row) throw new Error(`case inbox: no shared value ${key} (a deadline basis or limits)`);
      value = JSON.parse(row.value);
      this.values.set(key, value);
    }
    return value as T;
  }
}
