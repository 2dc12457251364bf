import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { calendarCoverage, type CalendarRegistry } from '@chuishao/calendar';
import type { EventStore } from '@chuishao/event-store';
import { generationStatus, readCheckpoint } from '@chuishao/projections';
import { Public } from '../auth/auth.guard';
import { PROJECTIONS, type Clock } from '@chuishao/runtime';
import type { ReadModels } from '../read-models';
import { CALENDARS, CLOCK, EVENT_STORE, READ_MODELS } from '../tokens';

/** For the county's monitoring: is the store answering, how far behind are the read models. Public, no case data. */
@Controller('v1/health')
export class HealthRoute {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODELS) private readonly readModels: ReadModels,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CALENDARS) private readonly calendars: CalendarRegistry,
  ) {}

  @Public()
  @Get()
  async health(@Res({ passthrough: true }) res: Response) {
    let head: number | null;
    try {
      head = await this.store.headPosition();
    } catch {
      res.status(503);
      return { status: 'unavailable', detail: 'the event store does not answer' };
    }
    const readModels = Object.fromEntries(PROJECTIONS.map(({ name }) => {
      const checkpoint = readCheckpoint(this.readModels.db, name);
      // Which tables serve, and how far a rebuild running next to the service has come (see rebuild.command.ts).
      const { active, building } = generationStatus(this.readModels.db, name);
      return [name, { checkpoint, behind: head === null ? 0 : head - (checkpoint ?? 0), generation: active, rebuilding: building }];
    }));
    const now = this.clock.now();
    const calendar = calendarCoverage(this.calendars.current, now, this.calendars.lastRefusal);
    // Degraded is still serving (200): deadlines may rest on a provisional year, or a calendar file was refused.
    return {
      status: calendar.status,
      now: now.toISOString(),
      store: { head },
      readModels,
      calendar,
    };
  }
}
