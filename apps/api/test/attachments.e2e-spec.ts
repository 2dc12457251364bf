import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Response } from 'supertest';
import { ASSESSMENT, COMMAND_CENTRE, ECOLOGY, MARKET, OTHER_TOWNSHIP, startHarness, TOWNSHIP, WATER, whistleBody, type Harness } from './harness';

const MB = 1024 * 1024;
/** A real 1×1 PNG and a real 1×1 JPEG (baseline, JFIF). */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const JPEG = Buffer.from(
  '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDRENDg8QEBEQCgwSExIQEw8QEBD/' +
    'yQALCAABAAEBAREA/8wABgAQEAX/2gAIAQEAAD8A0s8g/9k=',
  'base64',
);
const WEBP = Buffer.concat([
  Buffer.from('RIFF'),
  Buffer.from([0x1a, 0, 0, 0]),
  Buffer.from('WEBPVP8L'),
  Buffer.from([0x0d, 0, 0, 0, 0x2f, 0, 0, 0, 0x10, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xfe, 0x07, 0]),
]);
const pdf = (size: number) => {
  const head = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n');
  return Buffer.concat([head, Buffer.alloc(size - head.length, 0x20)]);
};
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Every blob file under DATA_DIR/blobs (not the temp folder). */
function blobFiles(dataDir: string): string[] {
  const root = join(dataDir, 'blobs');
  if (!existsSync(root)) return [];
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? (name === 'tmp' ? [] : walk(path)) : [path];
    });
  return walk(root);
}

/** supertest buffers a binary body it does not know into res.body only when told to. */
const binary = (res: Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

describe('notes and evidence files (real HTTP, real files in DATA_DIR)', () => {
  let h: Harness;
  const tokens = new Map<string, string>();
  const auth = (org: string) => ({ Authorization: `Bearer ${tokens.get(org)}` });
  const upload = (org: string, content: Buffer, filename: string, contentType = 'application/octet-stream') =>
    h.http().post('/v1/attachments').set(auth(org)).attach('file', content, { filename, contentType });
  const download = (org: string, id: string) => h.http().get(`/v1/attachments/${id}`).set(auth(org)).buffer(true).parse(binary);
  const blowCase = async () =>
    (
      await h
        .http()
        .post('/v1/whistles')
        .set(auth(TOWNSHIP))
        .send(whistleBody([ECOLOGY, WATER]))
        .expect(201)
    ).body.caseId as string;

  beforeAll(async () => {
    h = await startHarness();
    for (const org of [TOWNSHIP, OTHER_TOWNSHIP, ECOLOGY, WATER, MARKET, COMMAND_CENTRE, ASSESSMENT]) tokens.set(org, await h.token(org));
  });
  afterAll(() => h.close());

  it('a photo uploaded with a completion is downloadable by the township, with exactly its checked type, and 404 for another township', async () => {
    const caseId = await blowCase();
    const up = await upload(ECOLOGY, JPEG, '整改后.jpg', 'image/jpeg').expect(201);
    expect(up.body).toEqual({
      id: expect.any(String),
      sha256: sha256(JPEG),
      size: JPEG.length,
      type: 'image/jpeg',
      fileName: '整改后.jpg',
      uploadedAt: expect.any(String),
    });
    const { id } = up.body;

    // Not yet referenced: the uploader's org reads it back, nobody else (the township, too, is told it does not exist).
    expect((await download(ECOLOGY, id).expect(200)).body).toEqual(JPEG);
    const hidden = await download(TOWNSHIP, id).expect(404);
    expect(hidden.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(hidden.body.toString())).toMatchObject({ code: 'ATTACHMENT.NOT_FOUND' });

    // A completion refused (not reported in yet) names the file but records nothing: the file stays hidden.
    await h
      .http()
      .post(`/v1/cases/${caseId}/completions`)
      .set(auth(ECOLOGY))
      .send({ result: '排污口已封堵', attachmentIds: [id] })
      .expect(409);
    await download(TOWNSHIP, id).expect(404);

    await h.http().post(`/v1/cases/${caseId}/responses`).set(auth(ECOLOGY)).send({}).expect(200);
    await h
      .http()
      .post(`/v1/cases/${caseId}/completions`)
      .set(auth(ECOLOGY))
      .send({ result: '排污口已封堵', attachmentIds: [id] })
      .expect(200);

    const got = await download(TOWNSHIP, id).expect(200);
    expect(got.body).toEqual(JPEG);
    expect(got.headers['content-type']).toBe('image/jpeg');
    expect(got.headers['x-content-type-options']).toBe('nosniff');
    expect(got.headers['content-disposition']).toBe(`inline; filename="___.jpg"; filename*=UTF-8''${encodeURIComponent('整改后.jpg')}`);
    // Everyone who may see the case: the other department on it, the command centre, the assessment office.
    for (const org of [WATER, COMMAND_CENTRE, ASSESSMENT]) await download(org, id).expect(200);
    // Not another township, nor a department with no part of the case.
    for (const org of [OTHER_TOWNSHIP, MARKET]) expect(JSON.parse((await download(org, id).expect(404)).body.toString()).code).toBe('ATTACHMENT.NOT_FOUND');

    const events = (await h.http().get(`/v1/cases/${caseId}/events`).set(auth(TOWNSHIP)).expect(200)).body;
    const completed = events.find((e: { type: string }) => e.type === 'HandlingCompleted');
    expect(completed.data.attachments).toEqual([
      {
        id,
        sha256: sha256(JPEG),
        size: JPEG.length,
        type: 'image/jpeg',
        fileName: '整改后.jpg',
        uploadedBy: { orgId: ECOLOGY, userId: `${ECOLOGY}-tester` },
        uploadedAt: up.body.uploadedAt,
      },
    ]);
  });

  it('refuses a file whose bytes are not what its name says (an HTML page called photo.jpg) with 415, naming the field', async () => {
    const html = Buffer.from('<!doctype html><html><script>alert(document.cookie)</script></html>');
    const res = await upload(ECOLOGY, html, 'photo.jpg', 'image/jpeg').expect(415);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({
      status: 415,
      code: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
      errors: [{ field: 'file', message: 'not a JPEG, PNG, WebP or PDF by its content' }],
    });
    // An SVG is not kept either, whatever it is called.
    await upload(ECOLOGY, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'x.png', 'image/png').expect(415);
  });

  it('refuses what is not one file in multipart/form-data, before or after authentication as the other routes do', async () => {
    const token = auth(ECOLOGY);
    await h.http().post('/v1/attachments').attach('file', PNG, 'a.png').expect(401);
    const json = await h.http().post('/v1/attachments').set(token).send({ file: 'x' }).expect(415);
    expect(json.body).toMatchObject({ code: 'REQUEST.UNSUPPORTED_MEDIA_TYPE', detail: expect.stringContaining('multipart/form-data') });
    const none = await h.http().post('/v1/attachments').set(token).field('note', 'x').expect(400);
    expect(none.body).toMatchObject({ code: 'REQUEST.INVALID', errors: [{ field: 'file', message: expect.any(String) }] });
    const two = await h.http().post('/v1/attachments').set(token).attach('file', PNG, 'a.png').attach('file', PNG, 'b.png').expect(400);
    expect(two.body).toMatchObject({ code: 'REQUEST.INVALID', errors: [{ field: 'file', message: expect.any(String) }] });
    const wrongField = await h.http().post('/v1/attachments').set(token).attach('photo', PNG, 'a.png').expect(400);
    expect(wrongField.body.errors[0].field).toBe('file');
    await upload(ECOLOGY, Buffer.alloc(0), 'empty.png').expect(400);
    // The exemption is this one route's: multipart anywhere else is still refused as not JSON.
    const elsewhere = await h.http().post('/v1/whistles').set(auth(TOWNSHIP)).attach('file', PNG, 'a.png').expect(415);
    expect(elsewhere.body.detail).toContain('send application/json');
  });

  it('refuses a photo over 10 MB and a PDF over 20 MB with 413; a 12 MB PDF is kept', async () => {
    const bigPhoto = Buffer.concat([JPEG.subarray(0, 4), Buffer.alloc(10 * MB + 1 - 4)]);
    const photo = await upload(ECOLOGY, bigPhoto, 'big.jpg').expect(413);
    expect(photo.body).toMatchObject({ code: 'REQUEST.TOO_LARGE', errors: [{ field: 'file', message: 'at most 10 MB for image/jpeg' }] });
    const bigPdf = await upload(ECOLOGY, pdf(20 * MB + 1), 'big.pdf').expect(413);
    expect(bigPdf.body).toMatchObject({ code: 'REQUEST.TOO_LARGE', errors: [{ field: 'file' }] });
    const kept = await upload(ECOLOGY, pdf(12 * MB), '监测报告.pdf').expect(201);
    expect(kept.body).toMatchObject({ type: 'application/pdf', size: 12 * MB });
  });

  it('stores the same content once, however often and by whomever it is uploaded: two uploads, one blob', async () => {
    const content = Buffer.concat([PNG, Buffer.from(`unique ${Date.now()}`)]);
    const before = blobFiles(h.dataDir).length;
    const a = await upload(ECOLOGY, content, 'a.png').expect(201);
    const b = await upload(TOWNSHIP, content, 'b.png').expect(201);
    expect(a.body.id).not.toBe(b.body.id);
    expect(a.body.sha256).toBe(b.body.sha256);
    const files = blobFiles(h.dataDir);
    expect(files.length).toBe(before + 1);
    const path = join(h.dataDir, 'blobs', a.body.sha256.slice(0, 2), a.body.sha256.slice(2, 4), a.body.sha256);
    expect(readFileSync(path)).toEqual(content);
    // Each upload stays its uploader's until a case names it.
    await download(TOWNSHIP, a.body.id).expect(404);
    await download(TOWNSHIP, b.body.id).expect(200);
  });

  it('a note with an attachment: shown in the events with hash, size, type, name and uploader, readable by the case’s parties only', async () => {
    const caseId = await blowCase();
    const up = await upload(TOWNSHIP, PNG, '现场 (1).png').expect(201);
    const noted = await h
      .http()
      .post(`/v1/cases/${caseId}/notes`)
      .set(auth(TOWNSHIP))
      .send({ text: '现场照片已上传，请生态分局核实', attachmentIds: [up.body.id] })
      .expect(200);
    expect(noted.headers.etag).toBe('"1"');
    const events = (await h.http().get(`/v1/cases/${caseId}/events`).set(auth(ECOLOGY)).expect(200)).body;
    expect(events[1]).toMatchObject({
      type: 'NoteAdded',
      actor: { orgId: TOWNSHIP, role: 'township' },
      data: {
        caseId,
        authorOrgId: TOWNSHIP,
        authorRole: 'township',
        text: '现场照片已上传，请生态分局核实',
        attachments: [
          {
            id: up.body.id,
            sha256: sha256(PNG),
            size: PNG.length,
            type: 'image/png',
            fileName: '现场 (1).png',
            uploadedBy: { orgId: TOWNSHIP, userId: `${TOWNSHIP}-tester` },
          },
        ],
      },
    });
    const got = await download(ECOLOGY, up.body.id).expect(200);
    expect(got.headers['content-type']).toBe('image/png');
    expect(got.body).toEqual(PNG);
    await download(OTHER_TOWNSHIP, up.body.id).expect(404);

    // A department and the command centre note too; a note without files is fine.
    await h.http().post(`/v1/cases/${caseId}/notes`).set(auth(ECOLOGY)).send({ text: '已安排明日现场核查' }).expect(200);
    await h.http().post(`/v1/cases/${caseId}/notes`).set(auth(COMMAND_CENTRE)).send({ text: '请两部门联合处置' }).expect(200);
  });

  it('a note by a party that cannot act: 404 to whoever may not see the case, 403 to the assessment office; others’ files and blank text refused', async () => {
    const caseId = await blowCase();
    const note = async (org: string, body: object) => h.http().post(`/v1/cases/${caseId}/notes`).set(auth(org)).send(body);
    expect((await note(OTHER_TOWNSHIP, { text: '看看' })).body).toMatchObject({ status: 404, code: 'CASE.NOT_FOUND' });
    expect((await note(MARKET, { text: '看看' })).body).toMatchObject({ status: 404, code: 'CASE.NOT_FOUND' });
    expect((await note(ASSESSMENT, { text: '看看' })).body).toMatchObject({ status: 403, code: 'CASE.FORBIDDEN' });

    // A file uploaded by another org cannot be attached (nor thereby published to this case).
    const theirs = await upload(WATER, PNG, 'w.png').expect(201);
    const refused = await note(TOWNSHIP, { text: '附图', attachmentIds: [theirs.body.id] });
    expect(refused.body).toMatchObject({
      status: 400,
      code: 'REQUEST.INVALID',
      errors: [{ field: 'attachmentIds[0]', message: `${theirs.body.id} is not an upload of ${TOWNSHIP}` }],
    });
    await download(TOWNSHIP, theirs.body.id).expect(404);
    expect((await note(TOWNSHIP, { text: '\u200b \u3000' })).body).toMatchObject({ status: 400, errors: [{ field: 'text' }] });
    expect((await note(TOWNSHIP, { text: '附图', attachmentIds: ['not-a-uuid'] })).body).toMatchObject({ status: 400, errors: [{ field: 'attachmentIds' }] });
    const events = (await h.http().get(`/v1/cases/${caseId}/events`).set(auth(TOWNSHIP)).expect(200)).body;
    expect(events.map((e: { type: string }) => e.type)).toEqual(['WhistleBlown']);
  });

  it('files on 延期, 退单 and 申诉: recorded on the event with hash, size, type, name and uploader; the case’s parties download them, another township gets 404', async () => {
    const post = (org: string, caseId: string, route: string, body: object) => h.http().post(`/v1/cases/${caseId}/${route}`).set(auth(org)).send(body);
    // 延期 and 退单 on one case: ecology reports in and asks for days with the lab's receipt; water returns its part with a photo.
    const caseId = await blowCase();
    await post(ECOLOGY, caseId, 'responses', {}).expect(200);
    const receipt = await upload(ECOLOGY, pdf(4096), '送检回执.pdf').expect(201);
    await post(ECOLOGY, caseId, 'extension-requests', { reason: '水样送检，等待报告', workingDays: 2, attachmentIds: [receipt.body.id] }).expect(200);
    const site = await upload(WATER, JPEG, '排污口现场.jpg', 'image/jpeg').expect(201);
    await post(WATER, caseId, 'returns', { reason: '职能不符，属城区管网', attachmentIds: [site.body.id] }).expect(200);
    // 申诉 on another: completed, reviewed unresolved, appealed with the photo the review overlooked.
    const appealed = (
      await h
        .http()
        .post('/v1/whistles')
        .set(auth(TOWNSHIP))
        .send(whistleBody([ECOLOGY]))
        .expect(201)
    ).body.caseId as string;
    await post(ECOLOGY, appealed, 'responses', {}).expect(200);
    await post(ECOLOGY, appealed, 'completions', { result: '已封堵' }).expect(200);
    await post(TOWNSHIP, appealed, 'reviews', { departmentId: ECOLOGY, resolved: false, satisfaction: 'dissatisfied' }).expect(200);
    const after = await upload(ECOLOGY, PNG, '封堵后.png').expect(201);
    await post(ECOLOGY, appealed, 'appeals', { reason: '评价时已封堵，见照片', attachmentIds: [after.body.id] }).expect(200);

    const recorded = async (id: string, type: string) => {
      const events = (await h.http().get(`/v1/cases/${id}/events`).set(auth(COMMAND_CENTRE)).expect(200)).body as {
        type: string;
        data: { attachments?: unknown };
      }[];
      return events.find((e) => e.type === type)?.data.attachments;
    };
    const ref = (up: Response, content: Buffer, type: string, org: string) => ({
      id: up.body.id,
      sha256: sha256(content),
      size: content.length,
      type,
      fileName: up.body.fileName,
      uploadedBy: { orgId: org, userId: `${org}-tester` },
      uploadedAt: up.body.uploadedAt,
    });
    expect(await recorded(caseId, 'ExtensionRequested')).toEqual([ref(receipt, pdf(4096), 'application/pdf', ECOLOGY)]);
    expect(await recorded(caseId, 'PartReturned')).toEqual([ref(site, JPEG, 'image/jpeg', WATER)]);
    expect(await recorded(appealed, 'ReviewAppealed')).toEqual([ref(after, PNG, 'image/png', ECOLOGY)]);
    expect(site.body.fileName).toBe('排污口现场.jpg');

    for (const [up, content] of [
      [receipt, pdf(4096)],
      [site, JPEG],
      [after, PNG],
    ] as const) {
      // The command centre and the township that raised the case (and the assessment office) see the case: the file is theirs to read.
      for (const org of [COMMAND_CENTRE, TOWNSHIP, ASSESSMENT]) expect((await download(org, up.body.id).expect(200)).body).toEqual(content);
      // Another township and a department with no part do not: 404, as for no such file.
      for (const org of [OTHER_TOWNSHIP, MARKET])
        expect(JSON.parse((await download(org, up.body.id).expect(404)).body.toString()).code).toBe('ATTACHMENT.NOT_FOUND');
    }
    // The other department on the first case sees it too, and the returned photo is shown as the upload said it is.
    const photo = await download(ECOLOGY, site.body.id).expect(200);
    expect(photo.headers['content-type']).toBe('image/jpeg');
  });

  it('refuses on 延期, 退单 and 申诉 an attachment id of another org’s upload (naming attachmentIds[i]), a malformed one and more than ten; nothing is recorded', async () => {
    const caseId = await blowCase();
    await h.http().post(`/v1/cases/${caseId}/responses`).set(auth(ECOLOGY)).send({}).expect(200);
    const theirs = await upload(TOWNSHIP, PNG, '乡镇照片.png').expect(201);
    const routes: [string, object][] = [
      ['extension-requests', { reason: '等待报告', workingDays: 1 }],
      ['returns', { reason: '职能不符' }],
      // Not reviewed yet: the appeal's own rules would refuse it (409) after the body is checked; the body is refused first.
      ['appeals', { reason: '评价不公' }],
    ];
    for (const [route, body] of routes) {
      const send = (extra: object) =>
        h
          .http()
          .post(`/v1/cases/${caseId}/${route}`)
          .set(auth(ECOLOGY))
          .send({ ...body, ...extra });
      const malformed = await send({ attachmentIds: ['not-a-uuid'] }).expect(400);
      expect(malformed.body).toMatchObject({ code: 'REQUEST.INVALID', errors: [{ field: 'attachmentIds' }] });
      const many = Array.from({ length: 11 }, () => randomUUID());
      expect((await send({ attachmentIds: many }).expect(400)).body).toMatchObject({ errors: [{ field: 'attachmentIds' }] });
      if (route === 'appeals') continue;
      const refused = await send({ attachmentIds: [theirs.body.id] }).expect(400);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.body).toMatchObject({
        status: 400,
        code: 'REQUEST.INVALID',
        errors: [{ field: 'attachmentIds[0]', message: `${theirs.body.id} is not an upload of ${ECOLOGY}` }],
      });
    }
    // The appeal's file rule is the same one, once a review is there to appeal.
    await h.http().post(`/v1/cases/${caseId}/completions`).set(auth(ECOLOGY)).send({ result: '已处置' }).expect(200);
    await h
      .http()
      .post(`/v1/cases/${caseId}/reviews`)
      .set(auth(TOWNSHIP))
      .send({ departmentId: ECOLOGY, resolved: false, satisfaction: 'dissatisfied' })
      .expect(200);
    const appeal = await h
      .http()
      .post(`/v1/cases/${caseId}/appeals`)
      .set(auth(ECOLOGY))
      .send({ reason: '评价不公', attachmentIds: [theirs.body.id] })
      .expect(400);
    expect(appeal.body).toMatchObject({
      code: 'REQUEST.INVALID',
      errors: [{ field: 'attachmentIds[0]', message: `${theirs.body.id} is not an upload of ${ECOLOGY}` }],
    });

    const types = ((await h.http().get(`/v1/cases/${caseId}/events`).set(auth(COMMAND_CENTRE)).expect(200)).body as { type: string }[]).map((e) => e.type);
    expect(types.filter((t) => ['ExtensionRequested', 'PartReturned', 'ReviewAppealed'].includes(t))).toEqual([]);
    // Named but refused: the township's photo is still only the township's.
    for (const org of [ECOLOGY, COMMAND_CENTRE]) await download(org, theirs.body.id).expect(404);
  });

  it('serves exactly the type the bytes were checked to be, whatever the name or the declared type; a PDF only as an attachment', async () => {
    const png = await upload(ECOLOGY, PNG, 'photo.jpg', 'image/jpeg').expect(201);
    expect(png.body.type).toBe('image/png');
    const got = await download(ECOLOGY, png.body.id).expect(200);
    expect(got.headers['content-type']).toBe('image/png');
    expect(got.headers['x-content-type-options']).toBe('nosniff');

    const webp = await upload(ECOLOGY, WEBP, 'a.webp').expect(201);
    expect((await download(ECOLOGY, webp.body.id).expect(200)).headers['content-type']).toBe('image/webp');

    const doc = await upload(ECOLOGY, pdf(2048), 'report.html', 'text/html').expect(201);
    const served = await download(ECOLOGY, doc.body.id).expect(200);
    expect(served.headers['content-type']).toBe('application/pdf');
    expect(served.headers['content-disposition']).toMatch(/^attachment; filename="report.html"/);

    // An image with a name that is not plain is downloaded, never shown inline; a path in the name is dropped.
    const odd = await upload(ECOLOGY, PNG, '..\\..\\evil;name!\u202e.png').expect(201);
    expect(odd.body.fileName).toBe('evil;name!.png');
    expect((await download(ECOLOGY, odd.body.id).expect(200)).headers['content-disposition']).toBe(
      'attachment; filename="evil;name!.png"; filename*=UTF-8\'\'evil%3Bname!.png',
    );
    await h.http().get('/v1/attachments/not-a-uuid').set(auth(ECOLOGY)).expect(404);
  });
});
