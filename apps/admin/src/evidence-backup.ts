import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { copyFile, link, mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { FileSystemBlobStore, SHA256 } from '@chuishao/blobs';

/**
 * The blobs a backed-up store and catalog refer to: every `attachments[].sha256` in the events (the field
 * `attachmentIdsOf` reads, on whatever event carries it), and every upload's blob in the catalog. Values that are not
 * a SHA-256 are returned apart, never turned into a path.
 */
export function referencedBlobs(eventsFile: string, catalogFile: string | null): { blobs: string[]; invalid: string[] } {
  const found = new Set<string>();
  const events = new DatabaseSync(eventsFile, { readOnly: true });
  try {
    const rows = events
      .prepare(`SELECT DISTINCT json_extract(a.value, '$.sha256') AS sha256
        FROM events, json_each(events.data, '$.attachments') AS a
        WHERE events.data LIKE '%"attachments"%' AND json_type(events.data, '$.attachments') = 'array'`)
      .all() as { sha256: unknown }[];
    for (const r of rows) found.add(String(r.sha256));
  } finally {
    events.close();
  }
  if (catalogFile) {
    const catalog = new DatabaseSync(catalogFile, { readOnly: true });
    try {
      for (const r of catalog.prepare('SELECT DISTINCT sha256 FROM attachments').all() as { sha256: unknown }[]) found.add(String(r.sha256));
    } finally {
      catalog.close();
    }
  }
  const all = [...found].sort();
  return { blobs: all.filter((s) => SHA256.test(s)), invalid: all.filter((s) => !SHA256.test(s)) };
}

export interface BlobCopyResult {
  /** Blobs written into the shared folder by this run (each read back through SHA-256 before it was kept). */
  copied: number;
  bytesCopied: number;
  /** Blobs already in the shared folder with the right SHA-256: not copied again. */
  skipped: number;
  /** Referenced, but not in DATA_DIR/blobs. */
  missing: string[];
  /** In DATA_DIR/blobs, but its bytes do not hash to its name: not copied. */
  corrupt: string[];
}

/**
 * Copies blobs into `sharedRoot` (the same `ab/cd/<sha256>` layout as DATA_DIR/blobs), incrementally: a blob is
 * content-addressed, so one already there whose bytes hash to its name is the same blob and is not copied again. A
 * copy is hashed while it is written, into `sharedRoot/tmp/`, fsynced, and renamed into place only when its hash is
 * its name. Each blob is then hard-linked (copied where links are not supported) into `runRoot`, so every backup
 * folder is whole on its own and takes no extra space.
 */
export async function copyBlobs(sourceRoot: string, sharedRoot: string, runRoot: string, blobs: readonly string[]): Promise<BlobCopyResult> {
  const source = new FileSystemBlobStore(sourceRoot);
  const shared = new FileSystemBlobStore(sharedRoot);
  const run = new FileSystemBlobStore(runRoot);
  const result: BlobCopyResult = { copied: 0, bytesCopied: 0, skipped: 0, missing: [], corrupt: [] };
  const tmpDir = join(sharedRoot, 'tmp');
  for (const sha256 of blobs) {
    const kept = shared.pathOf(sha256);
    if (existsSync(kept) && (await hashOf(kept)) === sha256) {
      result.skipped++;
    } else {
      const from = source.pathOf(sha256);
      if (!existsSync(from)) {
        result.missing.push(sha256);
        continue;
      }
      await mkdir(tmpDir, { recursive: true });
      const tmp = join(tmpDir, `${sha256}.${process.pid}`);
      try {
        const { hash, size } = await copyHashing(from, tmp);
        if (hash !== sha256) {
          result.corrupt.push(sha256);
          await rm(tmp, { force: true });
          continue;
        }
        await mkdir(dirname(kept), { recursive: true });
        await rename(tmp, kept);
        await syncDir(dirname(kept));
        result.copied++;
        result.bytesCopied += size;
      } catch (error) {
        await rm(tmp, { force: true });
        throw error;
      }
    }
    const inRun = run.pathOf(sha256);
    await mkdir(dirname(inRun), { recursive: true });
    try {
      await link(kept, inRun);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EPERM' && code !== 'EXDEV' && code !== 'ENOTSUP' && code !== 'EMLINK') throw error;
      await copyFile(kept, inRun);
    }
  }
  return result;
}

async function hashOf(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Copies `from` to a new file `to`, hashing the bytes as they are written, and fsyncs it. */
async function copyHashing(from: string, to: string): Promise<{ hash: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  const out = await open(to, 'w', 0o640);
  try {
    for await (const chunk of createReadStream(from)) {
      hash.update(chunk as Buffer);
      await out.write(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    await out.sync();
  } finally {
    await out.close();
  }
  return { hash: hash.digest('hex'), size };
}

export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
