import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { calendarCoverage, type CalendarRegistry } from '@chuishao/calendar';
import type { EventStore } from '@chuishao/event-store';
import type { AppConfig, Clock } from '@chuishao/runtime';
import { Public } from '../auth/auth.guard';
import { TokenService } from '../auth/token.service';
import { bearerOf, isOperator } from '../observability/operator';
import type { ReadModels } from '../read-models';
import { CALENDARS, CLOCK, CONFIG, EVENT_STORE, READ_MODELS } from '../tokens';
import { readModelHealth } from './read-model-lag';

/**
 * For the county's monitoring. Public, no case data: anyone learns whether the service lives and is ready; the
 * details (store head, read-model lag, calendar coverage) only the command centre or the operator (OPERATOR_TOKEN).
 */
@Controller('v1/health')
export class HealthRoute {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODELS) private readonly readModels: ReadModels,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CALENDARS) private readonly calendars: CalendarRegistry,
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly tokens: TokenService,
  ) {}

  /** The process answers HTTP: nothing else is looked at (a liveness probe must not fail on the store). */
  @Public()
  @Get('live')
  live() {
    return { status: 'ok' };
  }

  /** Ready when the store answers; 503 otherwise. */
  @Public()
  @Get('ready')
  ready(@Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.readiness(req, res);
  }

  /** The same as /v1/health/ready, where monitoring has always looked. */
  @Public()
  @Get()
  health(@Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.readiness(req, res);
  }

  private async readiness(req: Request, res: Response) {
    let head: number | null;
    try {
      head = await this.store.headPosition();
    } catch {
      res.status(503);
      return { status: 'unavailable', detail: 'the event store does not answer' };
    }
    const now = this.clock.now();
    const calendar = calendarCoverage(this.calendars.current, now, this.calendars.lastRefusal);
    // Degraded is still serving (200): deadlines may rest on a provisional year, or a calendar file was refused.
    if (!(await this.mayReadDetails(req))) return { status: calendar.status };
    return {
      status: calendar.status,
      now: now.toISOString(),
      store: { head },
      readModels: readModelHealth(this.readModels.db, head),
      calendar,
    };
  }

  /** The operator's token, or a valid token of the command centre; anything else (none, invalid) gets the status only. */
  private async mayReadDetails(req: Request): Promise<boolean> {
    if (isOperator(this.config, req)) return true;
    const token = bearerOf(req);
    if (token === null) return false;
    try {
      return (await this.tokens.verify(token)).role === 'command_centre';
    } catch {
      return false;
    }
  }
}
