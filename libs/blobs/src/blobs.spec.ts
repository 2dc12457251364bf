import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { AttachmentCatalog, FileSystemBlobStore, MAX_BYTES, sniffType } from '.';

describe('the file-system blob store', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'chuishao-blobs-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('stores bytes under root/ab/cd/<sha256>, once per content, leaving no temp file', async () => {
    const store = new FileSystemBlobStore(root);
    const content = Buffer.from('%PDF-1.7 监测报告');
    const sha256 = createHash('sha256').update(content).digest('hex');
    expect(await store.put(content)).toEqual({ sha256, size: content.length, created: true });
    expect(await store.put(Buffer.from(content))).toEqual({ sha256, size: content.length, created: false });
    expect(readFileSync(join(root, sha256.slice(0, 2), sha256.slice(2, 4), sha256))).toEqual(content);
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
    expect(await store.has(sha256)).toBe(true);
    expect(await text((await store.open(sha256))!)).toBe('%PDF-1.7 监测报告');
  });

  it('answers null and false for content it does not hold, and refuses a key that is not a SHA-256', async () => {
    const store = new FileSystemBlobStore(root);
    expect(await store.open('0'.repeat(64))).toBeNull();
    expect(await store.has('0'.repeat(64))).toBe(false);
    await expect(store.has('../../etc/passwd')).rejects.toThrow(/not a SHA-256/);
  });
});

describe('sniffType: the type by the magic bytes only', () => {
  it.each([
    ['jpeg', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]), 'image/jpeg'],
    ['png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]), 'image/png'],
    ['webp', Buffer.from('RIFF\x10\x00\x00\x00WEBPVP8 ', 'latin1'), 'image/webp'],
    ['pdf', Buffer.from('%PDF-1.4\n'), 'application/pdf'],
    ['html', Buffer.from('<!doctype html>'), null],
    ['svg', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), null],
    ['a RIFF that is not WebP (wav)', Buffer.from('RIFF\x10\x00\x00\x00WAVEfmt ', 'latin1'), null],
    ['a truncated png signature', Buffer.from([0x89, 0x50, 0x4e]), null],
    ['nothing', Buffer.alloc(0), null],
  ])('%s', (_name, bytes, type) => {
    expect(sniffType(bytes)).toBe(type);
  });

  it('limits photos to 10 MB and PDFs to 20 MB', () => {
    expect(MAX_BYTES).toEqual({ 'image/jpeg': 10 * 2 ** 20, 'image/png': 10 * 2 ** 20, 'image/webp': 10 * 2 ** 20, 'application/pdf': 20 * 2 ** 20 });
  });
});

describe('the attachment catalog', () => {
  const upload = (id: string) => ({
    id,
    sha256: 'ab'.repeat(32),
    size: 10,
    type: 'image/png' as const,
    fileName: 'a.png',
    uploadedBy: { orgId: 'twp-a', userId: 'u' },
    uploadedAt: '2026-03-02T01:00:00.000Z',
  });

  it('records uploads, finds the known ones among ids, and keeps each case’s claims once', () => {
    const catalog = new AttachmentCatalog(':memory:');
    catalog.record(upload('f1'));
    catalog.record(upload('f2'));
    expect(catalog.get('f1')).toEqual(upload('f1'));
    expect(catalog.get('f9')).toBeNull();
    expect(catalog.find(['f2', 'f9', 'f2']).map((u) => u.id)).toEqual(['f2']);
    expect(catalog.uploadsOf('ab'.repeat(32))).toBe(2);
    catalog.claim('case-b', ['f1']);
    catalog.claim('case-a', ['f1', 'f2']);
    catalog.claim('case-a', ['f1']);
    expect(catalog.claimsOf('f1')).toEqual(['case-a', 'case-b']);
    expect(catalog.claimsOf('f2')).toEqual(['case-a']);
    expect(() => catalog.record(upload('f1'))).toThrow();
    catalog.close();
  });
});
