import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LoggerService } from '@nestjs/common';
import type { Request, Response } from 'express';
import pino from 'pino';
import { Logger, PinoLogger, type Params } from 'nestjs-pino';
import type { Actor } from '@chuishao/domain';
import type { AppConfig, LogLevel } from '@chuishao/runtime';
import { problemCodeOf } from '../http/problem';
import type { TracedRequest } from './trace-context';

/** Nest's level names (LOG_LEVEL) as pino's. */
const PINO_LEVEL: Record<LogLevel, pino.Level> = { error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace' };

type Req = IncomingMessage & TracedRequest & { actor?: Actor };

/**
 * The request line: what was asked (method and route pattern, never the path's query or the body: they can hold
 * residents' personal data), how it was answered (with the problem's code for a refusal) and for whom. It is built
 * from these named fields only, so no header, token or cookie can reach it.
 *
 * Written as text here rather than through pino's serializer: it is the one line per request, and its fields are
 * fixed (pino's object walk and timestamp were ~6 µs of a command's ~300). The same JSON pino writes: level, time,
 * the base fields, the line's fields, msg.
 */
export function requestLine(req: Req, res: ServerResponse, durationMs: number, level: 'info' | 'error'): string {
  const route = req.route?.path === undefined ? null : `${req.baseUrl ?? ''}${req.route.path}`;
  const code = problemCodeOf(res);
  return (
    `{"level":"${level}","time":"${isoNow()}","service":"${SERVICE}","correlationId":${text(req.trace?.correlationId)},` +
    `"method":${text(req.method)},"route":${text(route)},"status":${res.statusCode},"durationMs":${durationMs},` +
    `"orgId":${text(req.actor?.orgId)},"userId":${text(req.actor?.userId)}${code ? `,"code":${text(code)}` : ''},"msg":"request"}\n`
  );
}

const SERVICE = 'chuishao-api';
const text = (value: string | null | undefined) => (value === null || value === undefined ? 'null' : JSON.stringify(value));

/** The ISO time of the current millisecond, formatted once per millisecond however many lines it has. */
let isoMs = -1;
let iso = '';
function isoNow(): string {
  const now = Date.now();
  if (now !== isoMs) {
    isoMs = now;
    iso = new Date(now).toISOString();
  }
  return iso;
}

export interface JsonLogging {
  /** Nest's logger over pino (nestjs-pino), for every line the service logs. */
  logger: LoggerService;
  /** Writes the `msg: "request"` line of an answered request (called at the response's finish). */
  answered(req: Request, res: Response, durationMs: number): void;
}

/**
 * JSON lines on stdout: Nest's own lines through nestjs-pino's logger, and a line per request written from the
 * response's `finish` on the root logger. No per-request child logger: binding one (pino-http's way) was a third of the
 * logging's cost under load, and the request line names its correlation id itself; a line logged while handling a
 * request (a 5xx) names it in its text (the problem filter).
 *
 * The lines of each LINES_EVERY_MS are written together, asynchronously, by sonic-boom (pino's destination), and
 * flushed when the process exits, so a request never waits for stdout and a busy service makes one write for many
 * lines, not one each; a SIGKILL can lose the lines of the last LINES_EVERY_MS (the audit trail, in the event store,
 * loses nothing).
 */
export function jsonLogging(config: AppConfig): JsonLogging {
  const level = PINO_LEVEL[config.logLevels[config.logLevels.length - 1]];
  const destination = batched(pino.destination({ dest: 1, sync: false }));
  const root = pino(
    {
      level,
      base: { service: SERVICE },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  const params: Params = { pinoHttp: { logger: root } };
  return {
    logger: new Logger(new PinoLogger(params), params),
    answered(req, res, durationMs) {
      const lineLevel = res.statusCode >= 500 ? 'error' : 'info';
      if (root.isLevelEnabled(lineLevel)) destination.write(requestLine(req as Req, res, Math.round(durationMs * 1000) / 1000, lineLevel));
    },
  };
}

/** How long lines wait to be written together: a busy service makes a few writes a second, not one per request. */
const LINES_EVERY_MS = 50;

/** A destination that hands `inner` the lines of LINES_EVERY_MS as one write, and everything at exit. */
function batched(inner: { write(chunk: string): unknown; flushSync(): void }): pino.DestinationStream {
  let lines: string[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (lines.length === 0) return;
    const chunk = lines.join('');
    lines = [];
    inner.write(chunk);
  };
  process.once('exit', () => {
    flush();
    inner.flushSync();
  });
  return {
    write(line: string) {
      lines.push(line);
      if (!scheduled) {
        scheduled = true;
        setTimeout(flush, LINES_EVERY_MS).unref();
      }
    },
  };
}
