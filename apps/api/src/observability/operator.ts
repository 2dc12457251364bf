import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import type { AppConfig } from '@chuishao/runtime';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** The bearer token the request sends, if any. */
export function bearerOf(req: Request): string | null {
  return /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? null;
}

/** Whether the request sends the configured OPERATOR_TOKEN (compared in constant time). */
export function isOperator(config: AppConfig, req: Request): boolean {
  const token = bearerOf(req);
  if (config.operatorToken === null || token === null) return false;
  return timingSafeEqual(digest(token), digest(config.operatorToken));
}
