import type { Readable } from 'node:stream';

/** Where a stored blob is, and what it is: named by the SHA-256 of its bytes (content-addressed). */
export interface StoredBlob {
  sha256: string;
  size: number;
  /** false when the same content was stored before: one blob, however often it is uploaded. */
  created: boolean;
}

/**
 * The port evidence files are kept behind. Content-addressed: the key is the SHA-256 of the bytes, so a blob never
 * changes once written and the same content is kept once. Adapters: the file system (here); an S3-compatible object
 * store can follow behind the same three methods (put with If-None-Match, HEAD, GET).
 */
export interface BlobStore {
  /** Stores the bytes (durably, before it resolves) and names them by their hash. */
  put(content: Buffer): Promise<StoredBlob>;
  /** Whether a blob with this hash is stored. */
  has(sha256: string): Promise<boolean>;
  /** The blob's bytes as a stream, or null when there is none. */
  open(sha256: string): Promise<Readable | null>;
}

export const SHA256 = /^[0-9a-f]{64}$/;
