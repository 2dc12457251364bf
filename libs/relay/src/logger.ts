import { logLevel, type logCreator } from 'kafkajs';

/** The relay's few log lines; the embedding app may pass its own (e.g. a Nest logger adapter). */
export interface RelayLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const consoleLogger: RelayLogger = {
  info: (m) => console.log(`${new Date().toISOString()} [relay] ${m}`),
  warn: (m) => console.warn(`${new Date().toISOString()} [relay] WARN ${m}`),
  error: (m) => console.error(`${new Date().toISOString()} [relay] ERROR ${m}`),
};

/**
 * kafkajs logs every internal retry as ERROR; the relay reports each failed round itself (with what it
 * does next), so kafkajs errors and warnings come out as warnings. Its warning that limited producer retries
 * "may invalidate EoS" is dropped on purpose: the relay promises at-least-once plus ce_id dedupe, and
 * needs kafkajs to give up so that it can back off, rebuild the producer and report the outage.
 */
export function kafkaLogCreator(logger: RelayLogger): logCreator {
  return () =>
    ({ level, namespace, log }) => {
      if (log.message?.includes('may invalidate EoS guarantees')) return;
      const line = `kafkajs ${namespace}: ${log.message}`;
      if (level <= logLevel.WARN) logger.warn(line);
      else logger.info(line);
    };
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
