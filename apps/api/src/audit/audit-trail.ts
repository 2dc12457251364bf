import { Logger, type OnModuleDestroy } from '@nestjs/common';
import type { Request } from 'express';
import { RefusalRecorder, type Refusal } from '@chuishao/audit';
import type { Actor } from '@chuishao/domain';
import type { EventStore } from '@chuishao/event-store';
import type { AuditSettings, Clock } from '@chuishao/runtime';
import { isAuthRequired } from '../auth/public';
import type { Problem } from '../http/problem';
import { correlationIdOf } from '../http/request-meta';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The API's side of the audit trail (libs/audit does the recording): turns a refused request into its record. Every
 * 4xx answer on a route that needs a token is recorded — 401 for a missing or refused token, 403, 404, 409, 412, 422,
 * 429, and the 400s of invalid requests — called from the one error filter, so no refusal escapes it. Public routes
 * and what is refused before routing (unknown paths, wrong methods, unreadable bodies) are in the request log only.
 */
export class AuditTrail implements OnModuleDestroy {
  readonly recorder: RefusalRecorder;

  constructor(
    store: EventStore,
    private readonly clock: Clock,
    settings: AuditSettings,
  ) {
    const log = new Logger('audit');
    this.recorder = new RefusalRecorder({
      store,
      now: () => clock.now(),
      perCaller: settings.refusalsPerMinute,
      total: settings.refusalsTotalPerMinute,
      flushIntervalMs: settings.flushIntervalMs,
      onError: (message) => log.error(message),
    });
  }

  /** Records `problem` as the answer to `req`, if it is a refusal the trail covers. */
  refused(req: Request, problem: Problem): void {
    if (problem.status < 400 || problem.status >= 500 || !isAuthRequired(req)) return;
    const actor = (req as Request & { actor?: Actor }).actor;
    const caseId = req.params?.caseId;
    const refusal: Refusal = {
      at: this.clock.now().toISOString(),
      orgId: actor?.orgId ?? null,
      userId: actor?.userId ?? null,
      role: actor?.role ?? null,
      countyId: actor?.countyId ?? null,
      ip: req.ip ?? null,
      method: req.method,
      route: typeof req.route?.path === 'string' ? req.route.path : '(unrouted)',
      caseId: typeof caseId === 'string' && UUID.test(caseId) ? caseId : null,
      status: problem.status,
      outcome: problem.code,
      detail: problem.message,
      correlationId: correlationIdOf(req),
    };
    this.recorder.record(refusal);
  }

  /** Everything buffered is stored before the store closes (Runtime.close closes the app first). */
  onModuleDestroy(): Promise<void> {
    return this.recorder.close();
  }
}
