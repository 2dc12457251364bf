import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import { toCaseView, type Actor, type AlertLevel, type CaseView, type PendingMove } from '@chuishao/domain';
import { ALERT_LEVELS, CASE_INBOX, inboxTables, storedStatesOf } from './case-inbox.projection';
import { activeGeneration } from './generations';
import { inSnapshot } from './transactions';
import { STORED_ROW_COLUMNS, type StoredRow, type StoredStates } from './stored-state';

export interface InboxQuery {
  status?: 'open' | 'closed' | 'withdrawn';
  departmentId?: string;
  townshipId?: string;
  category?: string;
  /** Cases raised at or after / before these instants (ISO-8601). */
  raisedFrom?: string;
  raisedTo?: string;
  /** Substring of title or description (Chinese text matches by substring). */
  q?: string;
  /** true: some running clock is past its deadline at `now`; false: none is. */
  overdue?: boolean;
  /** Highest watcher rung reached on any part. */
  escalation?: AlertLevel;
  /** Some part awaits a decision on this move: 延期 to approve, 退单 to decide, 申诉 to rule on. */
  pending?: PendingMove;
  now: string;
  limit: number;
  cursor?: string;
}

export interface InboxPage {
  items: CaseView[];
  nextCursor: string | null;
}

interface Cursor {
  raisedAt: string;
  caseId: string;
}

export class InvalidCursor extends Error {
  readonly code = 'QUERY.INVALID_CURSOR';
}

/** Newest first; the cursor is the last row's (raisedAt, caseId), so pages never skip or repeat. */
export function queryInbox(db: DatabaseSync, actor: Actor, query: InboxQuery): InboxPage {
  // The generation and its rows from one snapshot: a rebuild's switch is either wholly before or after.
  return inSnapshot(db, () => {
    const generation = activeGeneration(db, CASE_INBOX);
    return queryGeneration(db, inboxTables(generation), storedStatesOf(db, generation), actor, query);
  });
}

function queryGeneration(db: DatabaseSync, t: { cases: string; departments: string }, states: StoredStates, actor: Actor, query: InboxQuery): InboxPage {
  const where: string[] = [];
  const args: SQLInputValue[] = [];
  // The caller's scope first: nothing outside it can be asked for.
  switch (actor.role) {
    case 'township':
      where.push('c.township_id = ?');
      args.push(actor.orgId);
      break;
    case 'department':
      where.push(`EXISTS (SELECT 1 FROM ${t.departments} d WHERE d.case_id = c.case_id AND d.department_id = ?)`);
      args.push(actor.orgId);
      break;
    default:
      where.push('c.county_id = ?');
      args.push(actor.countyId);
  }
  if (query.status) {
    where.push('c.status = ?');
    args.push(query.status);
  }
  if (query.townshipId) {
    where.push('c.township_id = ?');
    args.push(query.townshipId);
  }
  if (query.departmentId) {
    where.push(`EXISTS (SELECT 1 FROM ${t.departments} d2 WHERE d2.case_id = c.case_id AND d2.department_id = ?)`);
    args.push(query.departmentId);
  }
  if (query.category) {
    where.push('c.category = ?');
    args.push(query.category);
  }
  if (query.raisedFrom) {
    where.push('c.raised_at >= ?');
    args.push(query.raisedFrom);
  }
  if (query.raisedTo) {
    where.push('c.raised_at < ?');
    args.push(query.raisedTo);
  }
  if (query.q) {
    const pattern = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push("(c.title LIKE ? ESCAPE '\\' OR c.description LIKE ? ESCAPE '\\')");
    args.push(pattern, pattern);
  }
  if (query.overdue !== undefined) {
    where.push(query.overdue ? '(c.earliest_due_at IS NOT NULL AND c.earliest_due_at <= ?)' : '(c.earliest_due_at IS NULL OR c.earliest_due_at > ?)');
    args.push(query.now);
  }
  if (query.escalation) {
    where.push('c.alert_level = ?');
    args.push(ALERT_LEVELS.indexOf(query.escalation));
  }
  if (query.pending) {
    // `pending IS NOT NULL` lets the planner use the partial index of cases waiting on something.
    where.push("c.pending IS NOT NULL AND instr(' ' || c.pending || ' ', ?) > 0");
    args.push(` ${query.pending} `);
  }
  if (query.cursor) {
    const cursor = decodeCursor(query.cursor);
    where.push('(c.raised_at < ? OR (c.raised_at = ? AND c.case_id < ?))');
    args.push(cursor.raisedAt, cursor.raisedAt, cursor.caseId);
  }
  const rows = db
    .prepare(`SELECT ${STORED_ROW_COLUMNS.map((c) => `c.${c}`).join(', ')}, c.version, c.position FROM ${t.cases} c WHERE ${where.join(' AND ')}
              ORDER BY c.raised_at DESC, c.case_id DESC LIMIT ?`)
    .all(...args, query.limit + 1) as unknown as (StoredRow & { version: number; position: number })[];
  const items = rows.slice(0, query.limit).map((r) => toCaseView(states.restore(r), r.version, r.position));
  const last = items[items.length - 1];
  const nextCursor = rows.length > query.limit && last ? encodeCursor({ raisedAt: last.raisedAt, caseId: last.caseId }) : null;
  return { items, nextCursor };
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(text: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Cursor;
    if (typeof c.raisedAt === 'string' && typeof c.caseId === 'string') return c;
  } catch {
    // fall through: any malformed cursor is the caller's error
  }
  throw new InvalidCursor('cursor is not one this API issued');
}
