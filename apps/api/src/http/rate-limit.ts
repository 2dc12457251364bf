import { Injectable, Logger, RequestMethod, SetMetadata, type ExecutionContext, type OnModuleDestroy, type Provider } from '@nestjs/common';
import { FixedWindowCounts } from './fixed-window-counts';
import { METHOD_METADATA } from '@nestjs/common/constants';
import { APP_GUARD, Reflector } from '@nestjs/core';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { ThrottlerGuard, ThrottlerStorage, getOptionsToken, getStorageToken, type ThrottlerLimitDetail, type ThrottlerModuleOptions } from '@nestjs/throttler';
import type { Request } from 'express';
import type { Actor } from '@chuishao/domain';
import type { RateLimits } from '@chuishao/runtime';
import { PUBLIC } from '../auth/public';
import { Problem } from './problem';

const HEAVY = 'chuishao:heavy-read';
/** A read that costs far more than a case lookup: `always`, or only `withAsOf` (an explicit asOf, policy or export). */
export const HeavyRead = (when: 'always' | 'withAsOf' = 'always') => SetMetadata(HEAVY, when);

type Req = Request & { actor?: Actor };

const publicRoute = (handler: Function, controller: Function) =>
  Reflect.getMetadata(PUBLIC, handler) === true || Reflect.getMetadata(PUBLIC, controller) === true;
/** A route's metadata does not change once the app runs: read once per handler, not on every request. */
const publicByHandler = new WeakMap<Function, boolean>();
function isPublic(context: ExecutionContext): boolean {
  const handler = context.getHandler();
  let known = publicByHandler.get(handler);
  if (known === undefined) {
    known = publicRoute(handler, context.getClass());
    publicByHandler.set(handler, known);
  }
  return known;
}

/** The budgets that can answer a route 429 (the throttlers below and the refused-token limiter): what the OpenAPI document states. */
export type Budget = 'ip' | 'refused-tokens' | 'user-reads' | 'user-commands' | 'org' | 'heavy' | 'heavy-with-as-of';
export function budgetsOf(controller: Function, handler: Function): Budget[] {
  if (publicRoute(handler, controller)) return ['ip'];
  const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
  const reads = method === RequestMethod.GET || method === RequestMethod.HEAD;
  const heavy = Reflect.getMetadata(HEAVY, handler) as 'always' | 'withAsOf' | undefined;
  return [
    'refused-tokens',
    reads ? 'user-reads' : 'user-commands',
    'org',
    ...(heavy ? [heavy === 'always' ? ('heavy' as const) : ('heavy-with-as-of' as const)] : []),
  ];
}

const heavyByHandler = new WeakMap<Function, 'always' | 'withAsOf' | null>();
function isHeavy(context: ExecutionContext): boolean {
  const handler = context.getHandler();
  let when = heavyByHandler.get(handler);
  if (when === undefined) {
    when = (Reflect.getMetadata(HEAVY, handler) as 'always' | 'withAsOf' | undefined) ?? null;
    heavyByHandler.set(handler, when);
  }
  if (!when) return false;
  if (when === 'always') return true;
  const q = context.switchToHttp().getRequest<Req>().query;
  return q.asOf !== undefined || q.policy !== undefined || (q.format !== undefined && q.format !== 'json');
}

const actorOf = (context: ExecutionContext) => context.switchToHttp().getRequest<Req>().actor;
const userKey = (a: Actor) => `user:${a.orgId}/${a.userId}`;

/**
 * The counts' store: the library's in-memory one, or its Redis one so several instances share one budget. A Redis
 * that does not answer lets requests through (logged): limits protect the service, they must not take it down.
 */
class Counts implements ThrottlerStorage, OnModuleDestroy {
  private readonly log = new Logger('rate-limit');
  private readonly inner: FixedWindowCounts | ThrottlerStorageRedisService;
  private warnedAt = 0;

  constructor(redisUrl: string | null) {
    this.inner = redisUrl
      ? new ThrottlerStorageRedisService(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000, lazyConnect: false })
      : new FixedWindowCounts();
    if (this.inner instanceof ThrottlerStorageRedisService) this.inner.redis.on('error', (e: Error) => this.warn(e));
  }

  increment(key: string, ttl: number, limit: number, blockDuration: number, name: string): ReturnType<ThrottlerStorage['increment']> {
    return this.inner.increment(key, ttl, limit, blockDuration, name).catch((error: Error) => {
      this.warn(error);
      return { totalHits: 0, timeToExpire: 0, isBlocked: false, timeToBlockExpire: 0 };
    });
  }

  private warn(error: Error) {
    if (Date.now() - this.warnedAt < 60_000) return;
    this.warnedAt = Date.now();
    this.log.warn(`rate-limit counts unavailable, requests are not limited meanwhile: ${error.message}`);
  }

  onModuleDestroy() {
    if (this.inner instanceof ThrottlerStorageRedisService) this.inner.onModuleDestroy();
    else this.inner.close();
  }
}

/** Runs after authentication, so budgets are per user and per org; 429 problem+json with Retry-After. */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  /**
   * The library's own loop, without its per-route overrides: no route here sets @Throttle or @SkipThrottle (every
   * budget is the configuration's, `options` below), so the six metadata lookups per budget it made on every request
   * are left out, and so is its handleRequest (user-agent patterns, rate-limit headers: neither is used here, and its
   * awaits cost more than the count). Budgets are counted in the order given; the first one over its limit answers 429.
   */
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Req>();
    for (const throttler of this.throttlers) {
      if (throttler.skipIf?.(context)) continue;
      const name = throttler.name as string;
      const ttl = throttler.ttl as number;
      const limit = throttler.limit as number;
      // Every tracker here is synchronous (options below).
      const tracker = throttler.getTracker!(req, context) as string;
      const key = this.commonOptions.generateKey!(context, tracker, name);
      const hit = await this.storageService.increment(key, ttl, limit, (throttler.blockDuration as number | undefined) ?? ttl, name);
      if (hit.isBlocked) await this.throwThrottlingException(context, { limit, ttl, key, tracker, ...hit });
    }
    return true;
  }

  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const retryAfter = Math.max(1, detail.timeToBlockExpire);
    throw new Problem(
      429,
      'RATE_LIMITED',
      'Too many requests',
      `over ${detail.limit} requests in ${detail.ttl / 1000} s; retry after ${retryAfter} s`,
      undefined,
      {
        'Retry-After': String(retryAfter),
      },
    );
  }
}

function options(limits: RateLimits, storage: Counts): ThrottlerModuleOptions {
  const ttl = limits.windowSeconds * 1000;
  // biome-ignore lint/suspicious/noExplicitAny: the throttler's own tracker signature
  const ip = (req: Record<string, any>) => `ip:${(req as Req).ip ?? 'unknown'}`;
  // biome-ignore lint/suspicious/noExplicitAny: the throttler's own tracker signature
  const user = (_req: Record<string, any>, context: ExecutionContext) => userKey(actorOf(context)!);
  const reading = (c: ExecutionContext) => {
    const method = c.switchToHttp().getRequest<Req>().method;
    return method === 'GET' || method === 'HEAD';
  };
  return {
    storage,
    setHeaders: false,
    // One budget per caller across every route (the library's default key is per route handler).
    generateKey: (_context, tracker, name) => `chuishao:rate:${name}:${tracker}`,
    throttlers: [
      { name: 'ip', ttl, limit: limits.ip, skipIf: (c) => !isPublic(c), getTracker: ip },
      { name: 'user-reads', ttl, limit: limits.userReads, skipIf: (c) => !actorOf(c) || !reading(c), getTracker: user },
      { name: 'user-commands', ttl, limit: limits.userCommands, skipIf: (c) => !actorOf(c) || reading(c), getTracker: user },
      { name: 'org', ttl, limit: limits.org, skipIf: (c) => !actorOf(c), getTracker: (_r, c) => `org:${actorOf(c)!.orgId}` },
      { name: 'heavy', ttl, limit: limits.heavy, skipIf: (c) => !actorOf(c) || !isHeavy(c), getTracker: user },
    ],
  };
}

/** Counts refused tokens per client IP, so forging tokens at thousands a second is answered 429, not 401. */
@Injectable()
export class AuthFailureLimiter {
  constructor(
    private readonly storage: Counts,
    private readonly limits: RateLimits,
  ) {}

  /** Records one refused token from `ip`; throws the 429 once the IP is over its budget. */
  async refused(ip: string | undefined): Promise<void> {
    const ttl = this.limits.windowSeconds * 1000;
    const hit = await this.storage.increment(`ip:${ip ?? 'unknown'}`, ttl, this.limits.ip, ttl, 'auth-failures');
    if (hit.isBlocked) {
      const retryAfter = Math.max(1, hit.timeToBlockExpire);
      throw new Problem(429, 'RATE_LIMITED', 'Too many requests', `too many refused tokens from this address; retry after ${retryAfter} s`, undefined, {
        'Retry-After': String(retryAfter),
      });
    }
  }
}

/**
 * The providers: the counts, the limiter for refused tokens (the auth guard uses it), and the guard itself, to be
 * listed after the auth guard so it sees the actor.
 */
export function rateLimitProviders(limits: RateLimits): { before: Provider[]; after: Provider[] } {
  const storage = new Counts(limits.redisUrl);
  return {
    before: [
      { provide: getStorageToken(), useValue: storage },
      { provide: getOptionsToken(), useValue: options(limits, storage) },
      { provide: AuthFailureLimiter, useValue: new AuthFailureLimiter(storage, limits) },
      { provide: Counts, useValue: storage },
    ],
    after: [
      {
        provide: APP_GUARD,
        useFactory: (o: ThrottlerModuleOptions, s: ThrottlerStorage, r: Reflector) => new RateLimitGuard(o, s, r),
        inject: [getOptionsToken(), getStorageToken(), Reflector],
      },
    ],
  };
}
