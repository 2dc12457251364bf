import type { AttachmentType } from '@chuishao/domain';

const MB = 1024 * 1024;

/** Largest upload per type: photos 10 MB, PDFs 20 MB. */
export const MAX_BYTES: Record<AttachmentType, number> = {
  'image/jpeg': 10 * MB,
  'image/png': 10 * MB,
  'image/webp': 10 * MB,
  'application/pdf': 20 * MB,
};
/** The largest of all: what the upload parser buffers at most. */
export const MAX_UPLOAD_BYTES = Math.max(...Object.values(MAX_BYTES));

const startsWith = (buf: Buffer, bytes: number[], at = 0) => buf.length >= at + bytes.length && bytes.every((b, i) => buf[at + i] === b);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/**
 * The type of a file by its first bytes (its magic number), or null for anything this service does not keep. The
 * name and the client's Content-Type are never believed: an HTML page called photo.jpg is not a JPEG.
 */
export function sniffType(buf: Buffer): AttachmentType | null {
  if (startsWith(buf, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(buf, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(buf, ascii('RIFF')) && startsWith(buf, ascii('WEBP'), 8)) return 'image/webp';
  if (startsWith(buf, ascii('%PDF-'))) return 'application/pdf';
  return null;
}
