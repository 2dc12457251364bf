import { connect, type Socket } from 'node:net';

export interface Reply {
  status: number;
  /** The body as text: callers parse only what they read, so the load generator spends its CPU on sending load. */
  text: string;
}

const HEAD_END = Buffer.from('\r\n\r\n');

/**
 * One keep-alive HTTP/1.1 connection carrying one request at a time, for the benchmarks' load generator: it shares
 * the machine's cores with the server, and a general client (node:http, undici) costs several times this per request.
 * It speaks only what this API answers with (Content-Length framing) and fails loudly on anything else.
 */
export class KeepAliveConnection {
  private readonly socket: Socket;
  private chunks: Buffer[] = [];
  private received = 0;
  /** Of the response being received: -1 until its head is in. */
  private bodyEnd = -1;
  private bodyStart = 0;
  private status = 0;
  private waiting: { resolve(reply: Reply): void; reject(error: Error): void } | null = null;
  private failure: Error | null = null;

  constructor(port: number, host = '127.0.0.1') {
    this.socket = connect({ port, host, noDelay: true });
    this.socket.on('data', (chunk) => this.receive(chunk));
    this.socket.on('error', (error) => this.fail(error));
    this.socket.on('close', () => this.fail(new Error('the server closed the connection')));
  }

  request(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Reply> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.waiting) return Promise.reject(new Error('one request at a time on a KeepAliveConnection'));
    const payload = body === undefined ? null : Buffer.from(body);
    let head = `${method} ${path} HTTP/1.1\r\nHost: localhost\r\n`;
    for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
    head += `Content-Length: ${payload?.length ?? 0}\r\n\r\n`;
    return new Promise<Reply>((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.write(payload ? Buffer.concat([Buffer.from(head, 'latin1'), payload]) : head);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    // Chunks are kept apart until the whole response is in: concatenating on every chunk would copy a
    // large body (an explain is ~1.7 MiB) over and over, on the cores the server needs.
    this.chunks.push(chunk);
    this.received += chunk.length;
    if (this.bodyEnd < 0) {
      const buffer = this.chunks.length === 1 ? chunk : Buffer.concat(this.chunks);
      this.chunks = [buffer];
      const headEnd = buffer.indexOf(HEAD_END);
      if (headEnd < 0) return;
      const head = buffer.toString('latin1', 0, headEnd);
      const length = /\r\ncontent-length: *(\d+)/i.exec(head);
      if (!/^HTTP\/1\.1 \d{3} /.test(head) || !length || /\r\ntransfer-encoding:/i.test(head)) {
        this.fail(new Error(`unexpected response framing: ${head.split('\r\n', 1)[0]}`));
        this.socket.destroy();
        return;
      }
      this.status = Number(head.slice(9, 12));
      this.bodyStart = headEnd + HEAD_END.length;
      this.bodyEnd = this.bodyStart + Number(length[1]);
    }
    if (this.received < this.bodyEnd) return;
    const buffer = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    const reply = { status: this.status, text: buffer.toString('utf8', this.bodyStart, this.bodyEnd) };
    const rest = buffer.subarray(this.bodyEnd);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.received = rest.length;
    this.bodyEnd = -1;
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.resolve(reply);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.reject(this.failure);
  }
}
