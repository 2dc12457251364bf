import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { AttachmentCatalog, FileSystemBlobStore, MAX_BYTES, sniffType, type BlobStore } from '@chuishao/blobs';
import { CaseLoader } from '@chuishao/commands';
import { attachmentIdsOf, canSee, caseStream, type Actor, type AttachmentFact, type UploadFacts } from '@chuishao/domain';
import type { EventStore } from '@chuishao/event-store';
import type { AppConfig, Clock } from '@chuishao/runtime';
import { randomUUID } from 'node:crypto';
import { Problem } from '../http/problem';
import { CLOCK, CONFIG, EVENT_STORE } from '../tokens';

const MB = 1024 * 1024;

/** A file name safe to show and to send back: no path, no control or invisible characters, at most 200 characters. */
export function cleanFileName(raw: string): string {
  // busboy reads a plain filename="…" parameter as latin1; browsers send UTF-8 bytes there.
  let name = raw;
  if (/^[\x00-\xff]*$/.test(name)) {
    const utf8 = Buffer.from(name, 'latin1').toString('utf8');
    if (!utf8.includes('\ufffd')) name = utf8;
  }
  name = name.split(/[\\/]/).pop() ?? '';
  name = name
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (name === '' || name === '.' || name === '..') name = 'upload';
  return [...name].slice(0, 200).join('');
}

/**
 * Evidence files: stored content-addressed behind the blob-store port (the file-system adapter under
 * DATA_DIR/blobs), their records in DATA_DIR/attachments.sqlite. Reading one is allowed to whoever may see a case
 * whose events refer to it, or, while no case does, to the org that uploaded it.
 */
@Injectable()
export class Attachments implements OnApplicationShutdown {
  private readonly log = new Logger('attachments');
  readonly blobs: BlobStore;
  readonly catalog: AttachmentCatalog;

  constructor(
    @Inject(CONFIG) config: AppConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly loader: CaseLoader,
  ) {
    this.blobs = new FileSystemBlobStore(join(config.dataDir, 'blobs'));
    this.catalog = new AttachmentCatalog(join(config.dataDir, 'attachments.sqlite'));
  }

  /** Checks the bytes, stores them once per content, and records the upload (who, when, what) for the audit trail. */
  async upload(actor: Actor, content: Buffer, originalName: string): Promise<AttachmentFact> {
    const type = sniffType(content);
    if (!type) {
      throw new Problem(
        415,
        'REQUEST.UNSUPPORTED_MEDIA_TYPE',
        'Unsupported media type',
        'file: by its content this is not a JPEG, PNG, WebP or PDF (the name and the declared type are not what counts)',
        [{ field: 'file', message: 'not a JPEG, PNG, WebP or PDF by its content' }],
      );
    }
    if (content.length > MAX_BYTES[type]) {
      throw new Problem(413, 'REQUEST.TOO_LARGE', 'Payload too large', `file: a ${type} file may be at most ${MAX_BYTES[type] / MB} MB`, [
        { field: 'file', message: `at most ${MAX_BYTES[type] / MB} MB for ${type}` },
      ]);
    }
    const blob = await this.blobs.put(content);
    const upload: AttachmentFact = {
      id: randomUUID(),
      sha256: blob.sha256,
      size: blob.size,
      type,
      fileName: cleanFileName(originalName),
      uploadedBy: { orgId: actor.orgId, userId: actor.userId },
      uploadedAt: this.clock.now().toISOString(),
    };
    this.catalog.record(upload);
    this.log.log(
      `upload ${upload.id} sha256=${upload.sha256} ${upload.type} ${upload.size} bytes by ${actor.orgId}/${actor.userId}${blob.created ? '' : ' (content already stored)'}`,
    );
    return upload;
  }

  /**
   * The facts a command naming files carries: what is recorded of each named upload. The caller's own uploads among
   * them are claimed for the case first (a hint the case's events confirm, see AttachmentCatalog).
   */
  factsFor(actor: Actor, caseId: string, ids: readonly string[] | undefined): UploadFacts {
    if (!ids?.length) return { uploads: [] };
    const uploads = this.catalog.find(ids);
    this.catalog.claim(
      caseId,
      uploads.filter((u) => u.uploadedBy.orgId === actor.orgId).map((u) => u.id),
    );
    return { uploads };
  }

  /** The upload and its bytes, if the actor may read it; otherwise null (answered 404, as for no such file). */
  async readable(actor: Actor, id: string): Promise<{ upload: AttachmentFact; content: Readable } | null> {
    const upload = this.catalog.get(id);
    if (!upload) return null;
    let referenced = false;
    let visible = false;
    for (const caseId of this.catalog.claimsOf(id)) {
      const history = await this.store.readStream(caseStream(caseId));
      if (!history.some((e) => attachmentIdsOf(e).includes(id))) continue;
      referenced = true;
      const { state } = await this.loader.load(caseId);
      if (state && canSee(actor, state)) {
        visible = true;
        break;
      }
    }
    const allowed = referenced ? visible : upload.uploadedBy.orgId === actor.orgId;
    if (!allowed) return null;
    const content = await this.blobs.open(upload.sha256);
    if (!content) {
      this.log.error(`attachment ${id}: blob ${upload.sha256} is missing from the store`);
      return null;
    }
    return { upload, content };
  }

  onApplicationShutdown(): void {
    this.catalog.close();
  }
}
