import { createHash } from 'node:crypto';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { CaseState, DeadlineBasis, PartState } from '@chuishao/domain';

/**
 * How the inbox stores a case's state: without the title and description (they have their own columns,
 * for search), and with each part's deadline basis replaced by a key into the generation's bases table.
 * A county has a few dozen distinct bases (policy, calendar and catalogue versions times matter
 * limits) across hundreds of thousands of parts, and the basis was ~30% of a stored state.
 *
 * Keys are content hashes, so a key means one basis forever: readers cache them without invalidation,
 * and a transaction that rolls back cannot leave a key pointing at nothing that a later one relies on
 * (each transaction writes the bases its rows use, INSERT OR IGNORE).
 */
export type StoredState = Omit<CaseState, 'title' | 'description' | 'parts'> & { parts: StoredPart[] };
type StoredPart = Omit<PartState, 'basis'> & { basis: string };

/** The columns a case is restored from. */
export interface StoredRow {
  state: string;
  title: string;
  description: string;
}

export class StoredStates {
  private readonly bases = new Map<string, DeadlineBasis>();
  /** Distinct bases are few: each one's text is hashed once. */
  private readonly byText = new Map<string, string>();
  private readonly written = new Set<string>();
  private readonly insert: StatementSync;
  private readonly select: StatementSync;

  constructor(db: DatabaseSync, table: string) {
    this.insert = db.prepare(`INSERT OR IGNORE INTO ${table} (key, basis) VALUES (?, ?)`);
    this.select = db.prepare(`SELECT basis FROM ${table} WHERE key = ?`);
  }

  /** Call at the start of each writing transaction. */
  startTransaction(): void {
    this.written.clear();
  }

  /** The state as the JSON text of its StoredState; writes the bases it refers to. */
  store(state: CaseState): string {
    const stored: StoredState & { title?: undefined; description?: undefined } = {
      ...state,
      title: undefined,
      description: undefined,
      parts: state.parts.map((p) => ({ ...p, basis: this.keyOf(p.basis) })),
    };
    return JSON.stringify(stored);
  }

  restore(row: StoredRow): CaseState {
    const stored = JSON.parse(row.state) as StoredState;
    return { ...stored, title: row.title, description: row.description, parts: stored.parts.map((p) => ({ ...p, basis: this.basisOf(p.basis) })) };
  }

  private keyOf(basis: DeadlineBasis): string {
    const text = JSON.stringify(basis);
    let key = this.byText.get(text);
    if (key === undefined) {
      key = createHash('sha256').update(text).digest('base64url').slice(0, 22);
      this.byText.set(text, key);
      this.bases.set(key, basis);
    }
    if (!this.written.has(key)) {
      this.insert.run(key, text);
      this.written.add(key);
    }
    return key;
  }

  private basisOf(key: string): DeadlineBasis {
    let basis = this.bases.get(key);
    if (!basis) {
      const row = this.select.get(key) as { basis: string } | undefined;
      if (!row) throw new Error(`case inbox: no deadline basis ${key}`);
      basis = JSON.parse(row.basis) as DeadlineBasis;
      this.bases.set(key, basis);
    }
    return basis;
  }
}
