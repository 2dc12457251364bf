import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { AttachmentFact, AttachmentType } from '@chuishao/domain';

/**
 * What is known of each upload (its blob's hash, size, checked type, file name, and who uploaded it when: the
 * upload's audit record), and which cases have claimed it.
 *
 * A claim is written by the API before the command naming the file is appended, and it is only a hint: the case's
 * own events say whether it really refers to the file (a claim whose command was refused, or never appended because
 * the process died, is refuted there). So the index is never behind the events (a file is downloadable the moment
 * its completion or note is), and a crash between the two writes cannot hide evidence, only leave a claim that the
 * events refute.
 */
export class AttachmentCatalog {
  private readonly db: DatabaseSync;
  private readonly insertUpload: StatementSync;
  private readonly selectUpload: StatementSync;
  private readonly insertClaim: StatementSync;
  private readonly selectClaims: StatementSync;
  private readonly countBlobs: StatementSync;

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new DatabaseSync(file);
    this.db.exec('PRAGMA busy_timeout = 5000');
    this.db.exec('PRAGMA journal_mode = WAL');
    // An upload is answered only once its record is on disk, like an acknowledged command.
    this.db.exec('PRAGMA synchronous = FULL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS attachments (
      id TEXT PRIMARY KEY, sha256 TEXT NOT NULL, size INTEGER NOT NULL, type TEXT NOT NULL, file_name TEXT NOT NULL,
      uploader_org_id TEXT NOT NULL, uploader_user_id TEXT NOT NULL, uploaded_at TEXT NOT NULL) STRICT`);
    this.db.exec('CREATE INDEX IF NOT EXISTS attachments_by_sha256 ON attachments (sha256)');
    this.db.exec(`CREATE TABLE IF NOT EXISTS attachment_claims (
      attachment_id TEXT NOT NULL, case_id TEXT NOT NULL, PRIMARY KEY (attachment_id, case_id)) STRICT, WITHOUT ROWID`);
    this.insertUpload = this.db.prepare(`INSERT INTO attachments (id, sha256, size, type, file_name, uploader_org_id, uploader_user_id, uploaded_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    this.selectUpload = this.db.prepare('SELECT * FROM attachments WHERE id = ?');
    this.insertClaim = this.db.prepare('INSERT OR IGNORE INTO attachment_claims (attachment_id, case_id) VALUES (?, ?)');
    this.selectClaims = this.db.prepare('SELECT case_id FROM attachment_claims WHERE attachment_id = ? ORDER BY case_id');
    this.countBlobs = this.db.prepare('SELECT COUNT(*) AS n FROM attachments WHERE sha256 = ?');
  }

  record(upload: AttachmentFact): void {
    const { id, sha256, size, type, fileName, uploadedBy, uploadedAt } = upload;
    this.insertUpload.run(id, sha256, size, type, fileName, uploadedBy.orgId, uploadedBy.userId, uploadedAt);
  }

  get(id: string): AttachmentFact | null {
    const row = this.selectUpload.get(id) as Record<string, string | number> | undefined;
    if (!row) return null;
    return {
      id: String(row.id),
      sha256: String(row.sha256),
      size: Number(row.size),
      type: String(row.type) as AttachmentType,
      fileName: String(row.file_name),
      uploadedBy: { orgId: String(row.uploader_org_id), userId: String(row.uploader_user_id) },
      uploadedAt: String(row.uploaded_at),
    };
  }

  /** The uploads among `ids` that exist (unknown ids are left out: the command decides what that means). */
  find(ids: readonly string[]): AttachmentFact[] {
    return [...new Set(ids)].map((id) => this.get(id)).filter((u): u is AttachmentFact => u !== null);
  }

  /** Records that a command about `caseId` is about to name these files (see the class comment). */
  claim(caseId: string, ids: readonly string[]): void {
    if (ids.length === 0) return;
    this.db.exec('BEGIN IMMEDIATE');
    try {
      for (const id of ids) this.insertClaim.run(id, caseId);
      this.db.exec('COMMIT');
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }

  /** The cases that claimed this file: candidates, to be confirmed by their events. */
  claimsOf(id: string): string[] {
    return (this.selectClaims.all(id) as { case_id: string }[]).map((r) => r.case_id);
  }

  /** How many uploads share this content. */
  uploadsOf(sha256: string): number {
    return Number((this.countBlobs.get(sha256) as { n: number }).n);
  }

  close(): void {
    this.db.close();
  }
}
