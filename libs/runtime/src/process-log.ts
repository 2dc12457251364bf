import pino from 'pino';
import { consoleLog, type LogFactory } from './services';

/**
 * The log of a process without HTTP (projector, watcher, relay): JSON lines through pino when the format is json —
 * `{level, time, service, context, msg}`, the API's shape — else consoleLog's text lines. Written asynchronously and
 * flushed when the process exits.
 */
export function processLog(format: 'json' | 'text', service: string): LogFactory {
  if (format === 'text') return consoleLog;
  const root = pino(
    {
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.destination({ dest: 1, sync: false }),
  );
  return (context) => {
    const log = root.child({ context });
    return { log: (m) => log.info(m), warn: (m) => log.warn(m), error: (m) => log.error(m), debug: (m) => log.debug(m) };
  };
}
