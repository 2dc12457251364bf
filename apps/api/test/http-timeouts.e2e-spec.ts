import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startHarness, TOWNSHIP, whistleBody, type Harness } from './harness';

/**
 * Sends `head`, then one byte of `trickle` every 100 ms, until the server answers or closes. Resolves with what the
 * server sent and how many bytes of the trickle went out before it closed.
 */
function trickle(port: number, head: string, rest: string): Promise<{ answer: string; sent: number }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    socket.on('connect', () => {
      socket.write(head);
      timer = setInterval(() => {
        if (sent < rest.length && socket.writable) socket.write(rest[sent++]);
      }, 100);
    });
    socket.on('data', (d) => (answer += d));
    socket.on('error', () => {}); // a reset after the answer: the close below tells
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ answer, sent });
    });
    socket.setTimeout(60_000, () => reject(new Error('the server held the connection')));
  });
}

describe('HTTP timeouts', () => {
  let h: Harness;
  let port: number;
  beforeAll(async () => {
    h = await startHarness({ HTTP_HEADERS_TIMEOUT_MS: '500', HTTP_REQUEST_TIMEOUT_MS: '1000' });
    port = (h.runtime.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(() => h.close());

  it('answers 408 and closes a connection whose body arrives too slowly', async () => {
    const token = await h.token(TOWNSHIP);
    const body = JSON.stringify({ title: '东坝河段不明排污口', description: 'x'.repeat(400) });
    const head =
      `POST /v1/whistles HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
    const { answer, sent } = await trickle(port, head, body);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    // Cut off with most of the body still unsent (it would take 40 s at this rate).
    expect(sent).toBeLessThan(body.length / 2);
    // Nothing was stored.
    const cases = await h.http().get('/v1/cases').set('Authorization', `Bearer ${token}`).expect(200);
    expect(cases.body.items).toEqual([]);
  }, 30_000);

  it('answers 408 and closes a connection whose headers arrive too slowly', async () => {
    const { answer, sent } = await trickle(port, 'GET /v1/orgs HTTP/1.1\r\n', 'Host: localhost\r\nX-Padding: '.padEnd(400, 'x'));
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(sent).toBeLessThan(200);
  }, 30_000);

  it('still serves a request sent at a normal pace', async () => {
    await h.http().get('/v1/orgs').expect(200);
  });

  it('takes the limits from the configuration, with sane defaults', async () => {
    const server = h.runtime.app.getHttpServer();
    expect([server.headersTimeout, server.requestTimeout]).toEqual([500, 1000]);
    const { loadConfig } = await import('@chuishao/runtime');
    expect(loadConfig({ DATA_DIR: '/tmp/x' }).http).toEqual({ headersMs: 10_000, requestMs: 30_000, idleMs: 120_000, keepAliveMs: 5_000, answerMs: 60_000 });
    expect(() => loadConfig({ DATA_DIR: '/tmp/x', HTTP_HEADERS_TIMEOUT_MS: '5000', HTTP_REQUEST_TIMEOUT_MS: '1000' })).toThrow(
      /HTTP_HEADERS_TIMEOUT_MS.*HTTP_REQUEST_TIMEOUT_MS/,
    );
    expect(() => loadConfig({ DATA_DIR: '/tmp/x', HTTP_REQUEST_TIMEOUT_MS: 'soon' })).toThrow(/HTTP_REQUEST_TIMEOUT_MS/);
  });
});

describe('the answer deadline (HTTP_ANSWER_TIMEOUT_MS)', () => {
  // No projector: the inbox never applies the whistle, so a read waiting for it (minPosition) hangs until
  // READ_MODEL_WAIT_MS; the deadline answers first.
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ PROCESSORS: 'none', HTTP_ANSWER_TIMEOUT_MS: '300', READ_MODEL_WAIT_MS: '2000' });
  });
  afterAll(() => h.close());

  it('answers 503 problem+json with Retry-After when the handler has not answered in time, and stays up', async () => {
    const township = { Authorization: `Bearer ${await h.token(TOWNSHIP)}` };
    const blown = await h.http().post('/v1/whistles').set(township).send(whistleBody()).expect(201);
    const started = Date.now();
    const res = await h.http().get(`/v1/cases?minPosition=${blown.body.position}`).set(township);
    const waited = Date.now() - started;
    expect([res.status, res.headers['content-type'], res.body.code, res.headers['retry-after']]).toEqual([
      503,
      'application/problem+json; charset=utf-8',
      'REQUEST.TIMED_OUT',
      '5',
    ]);
    expect(waited).toBeGreaterThanOrEqual(300);
    expect(waited).toBeLessThan(2000);
    // The handler finishes later (READ_MODEL.BEHIND at 2 s) into an answered response: nothing breaks.
    await new Promise((r) => setTimeout(r, 2200));
    await h.http().get('/v1/orgs').expect(200);
    // A command is not held by a slow read: it is answered as usual.
    await h.http().post('/v1/whistles').set(township).send(whistleBody()).expect(201);
  }, 30_000);
});
