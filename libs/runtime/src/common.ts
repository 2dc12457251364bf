import { resolve } from 'node:path';
import { z } from 'zod';
import { integer, oneOf, upperCase, variable, type Rule } from './env';

export const ENVIRONMENTS = ['development', 'production', 'test'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** Every process reads these: which environment it is in, and where the events are. */
export const commonShape = {
  // An unknown value (NODE_ENV=prod) must not quietly run as development, where anyone can mint a token.
  NODE_ENV: variable(oneOf(ENVIRONMENTS).optional()),
  CHUISHAO_ENV: variable(oneOf(ENVIRONMENTS).optional()),
  DATA_DIR: variable(z.string().default('./data')),
  EVENT_STORE: variable(oneOf(['sqlite', 'eventstoredb']).default('sqlite')),
  // Not a WHATWG URL: a cluster lists several hosts (esdb://a:2113,b:2113?tls=false).
  EVENTSTORE_URL: variable(
    z
      .string()
      .regex(/^esdb(\+discover)?:\/\/\S+$/, { error: 'must be an esdb:// or esdb+discover:// connection string' })
      .optional(),
  ),
  STORE_SYNCHRONOUS: variable(upperCase(oneOf(['FULL', 'NORMAL', 'OFF']).default('FULL'))),
  // Unset: JSON lines in production, text elsewhere (logFormatOf).
  LOG_FORMAT: variable(oneOf(['json', 'text']).optional()),
};

type Common = z.output<z.ZodObject<typeof commonShape>>;

export const commonRules: Rule<Common>[] = [
  {
    reads: ['EVENT_STORE', 'EVENTSTORE_URL'],
    at: 'EVENTSTORE_URL',
    message: 'EVENT_STORE=eventstoredb needs EVENTSTORE_URL (an esdb:// connection string)',
    holds: (v) => v.EVENT_STORE !== 'eventstoredb' || v.EVENTSTORE_URL !== undefined,
  },
];

/** How every process of the service logs: LOG_FORMAT, else JSON lines in production and text elsewhere. */
export const logFormatOf = (v: Pick<Common, 'NODE_ENV' | 'CHUISHAO_ENV' | 'LOG_FORMAT'>): 'json' | 'text' =>
  v.LOG_FORMAT ?? (environmentOf(v) === 'production' ? 'json' : 'text');

/** CHUISHAO_ENV wins over NODE_ENV, which other tools set for their own reasons. */
export const environmentOf = (v: Pick<Common, 'NODE_ENV' | 'CHUISHAO_ENV'>): Environment => v.CHUISHAO_ENV ?? v.NODE_ENV ?? 'development';

export type StoreConfig = { kind: 'sqlite'; file: string; synchronous: 'FULL' | 'NORMAL' | 'OFF' } | { kind: 'eventstoredb'; url: string };

export function storeOf(v: Common): StoreConfig {
  return v.EVENT_STORE === 'eventstoredb'
    ? { kind: 'eventstoredb', url: v.EVENTSTORE_URL! }
    : { kind: 'sqlite', file: resolve(v.DATA_DIR, 'events.sqlite'), synchronous: v.STORE_SYNCHRONOUS };
}

export const port = () => integer(0, 65535);
