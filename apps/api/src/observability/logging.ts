import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DynamicModule, LoggerService } from '@nestjs/common';
import pino from 'pino';
import { Logger, LoggerModule, type Params } from 'nestjs-pino';
import type { Actor } from '@chuishao/domain';
import type { AppConfig, LogLevel } from '@chuishao/runtime';
import type { TracedRequest } from './trace-context';

/** Nest's level names (LOG_LEVEL) as pino's. */
const PINO_LEVEL: Record<LogLevel, pino.Level> = { error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace' };

type Req = IncomingMessage & TracedRequest & { actor?: Actor };

/**
 * The request line: what was asked (method and route pattern, never the path's query or the body: they can hold
 * residents' personal data), how it was answered and for whom. Headers are not logged at all; anything that reaches a
 * line under a header, token or cookie name is redacted all the same.
 */
function requestLine(req: Req, res: ServerResponse, durationMs: number) {
  const route = req.route?.path === undefined ? null : `${req.baseUrl ?? ''}${req.route.path}`;
  return {
    method: req.method,
    route,
    status: res.statusCode,
    durationMs,
    orgId: req.actor?.orgId ?? null,
    userId: req.actor?.userId ?? null,
  };
}

/** nestjs-pino's settings: JSON lines on stdout, one per request (`msg: "request"`) with its correlation id. */
export function jsonLogging(config: AppConfig): Params {
  const level = PINO_LEVEL[config.logLevels[config.logLevels.length - 1]];
  const logger = pino(
    {
      level,
      base: { service: 'chuishao-api' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: {
        paths: ['authorization', 'cookie', 'token', 'password', '*.authorization', '*.cookie', '*.token', 'req.headers', 'res.headers', 'headers'],
        censor: '[redacted]',
      },
    },
    // Written off the request's path: a line per request must not cost the API its throughput.
    pino.destination({ dest: 1, sync: false }),
  );
  return {
    pinoHttp: {
      logger,
      genReqId: (req) => (req as Req).trace?.correlationId ?? randomUUID(),
      customAttributeKeys: { reqId: 'correlationId' },
      // Only the correlation id is bound to the lines logged during a request, and the request line is built here.
      quietReqLogger: true,
      quietResLogger: true,
      customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
      customSuccessMessage: () => 'request',
      customErrorMessage: () => 'request',
      customSuccessObject: (req, res, value) => requestLine(req as Req, res, (value as { responseTime: number }).responseTime),
      customErrorObject: (req, res, error, value) => ({
        ...requestLine(req as Req, res, (value as { responseTime: number }).responseTime),
        // The error's kind only: a message may quote what the request sent.
        error: error.name,
      }),
    },
  };
}

/** The Nest module that writes the request lines, and the logger class to install as the app's logger. */
export function jsonLoggingModule(config: AppConfig): { module: DynamicModule; logger: abstract new (...args: never[]) => LoggerService } {
  return { module: LoggerModule.forRoot(jsonLogging(config)), logger: Logger };
}
