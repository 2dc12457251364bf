import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { SHA256, type BlobStore, type StoredBlob } from './port';

/**
 * Blobs as files under `root`: `root/ab/cd/<sha256>` (two levels of 256 directories, so none grows huge). Written
 * atomically: into `root/tmp/` first, fsynced, renamed into place, and the directory fsynced, so a crash leaves
 * either the whole blob or none (a stray temp file at most, which is never read).
 */
export class FileSystemBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  pathOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new Error(`not a SHA-256: ${sha256}`);
    return join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async put(content: Buffer): Promise<StoredBlob> {
    const sha256 = createHash('sha256').update(content).digest('hex');
    const size = content.length;
    const target = this.pathOf(sha256);
    if (await this.has(sha256)) return { sha256, size, created: false };
    const tmpDir = join(this.root, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const tmp = join(tmpDir, `${sha256}.${randomUUID()}`);
    try {
      const file = await open(tmp, 'wx', 0o640);
      try {
        await file.writeFile(content);
        await file.sync();
      } finally {
        await file.close();
      }
      await mkdir(dirname(target), { recursive: true });
      // Same content, same name: a concurrent upload of it renames identical bytes over identical bytes.
      await rename(tmp, target);
      await syncDir(dirname(target));
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
    return { sha256, size, created: true };
  }

  async has(sha256: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(sha256))).isFile();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }

  async open(sha256: string): Promise<Readable | null> {
    if (!(await this.has(sha256))) return null;
    return createReadStream(this.pathOf(sha256));
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
