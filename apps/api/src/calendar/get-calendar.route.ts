import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import type { CalendarDay, CalendarRegistry } from '@chuishao/calendar';
import type { Actor, FieldError } from '@chuishao/domain';
import { CurrentActor } from '../auth/auth.guard';
import { Problem } from '../http/problem';
import { IsCalendarDate } from '../http/validators';
import { CALENDARS } from '../tokens';

/** A year and a month around it: what a countdown or a month view needs, and a bound on the answer's size. */
export const MAX_CALENDAR_DAYS = 400;
const DAY = 86_400_000;

export class CalendarRangeDto {
  @IsCalendarDate() from!: string;
  @IsCalendarDate() to!: string;
}

export class WorkingPeriodView {
  @ApiProperty({ description: 'Local time HH:MM, included', example: '08:30' }) start!: string;
  @ApiProperty({ description: 'Local time HH:MM, excluded', example: '12:00' }) end!: string;
}

export class CalendarDayView {
  @ApiProperty({ type: String, format: 'date', example: '2026-10-01' }) date!: string;
  @ApiProperty({ description: 'Working time counts on this day (inside workingHours)', example: false }) working!: boolean;
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'The holiday of the break this day off is part of (a weekend inside the break too; several joined by 、, e.g. 国庆节、中秋节); null on working days and ordinary weekends',
    example: '国庆节',
  })
  holiday!: string | null;
  @ApiProperty({ description: '调休补班: a Saturday or Sunday that is a working day', example: false }) makeupWorkday!: boolean;
  @ApiProperty({ description: 'From a year derived from the statutory holidays, not the official arrangement (may still change)', example: false })
  provisional!: boolean;
}

export class CalendarView {
  @ApiProperty({
    description:
      'The calendar the caller’s county computes deadlines on, with +provisional-YYYY for each provisional year in the range (as deadlineBasis.calendarVersion)',
    example: 'cn-national-2026.1',
  })
  version!: string;
  @ApiProperty({ example: 'county-qingchuan' }) countyId!: string;
  @ApiProperty({ description: 'The zone of the dates and working hours (a fixed offset)', example: 'Asia/Shanghai' }) timeZone!: string;
  @ApiProperty({ type: [WorkingPeriodView], description: 'The working periods of a working day, in order' }) workingHours!: WorkingPeriodView[];
  @ApiProperty({ type: String, format: 'date', example: '2026-09-28' }) from!: string;
  @ApiProperty({ type: String, format: 'date', example: '2026-10-12' }) to!: string;
  @ApiProperty({ type: [String], description: 'Years of the range without an official arrangement loaded', example: [] }) provisionalYears!: string[];
  @ApiProperty({ type: [CalendarDayView], description: 'Every date from `from` to `to`, both included' }) days!: CalendarDayView[];
}

/** The working calendar of the caller's county: the days and hours its deadlines are counted on. */
@Controller('v1/calendar')
export class GetCalendarRoute {
  constructor(@Inject(CALENDARS) private readonly calendars: CalendarRegistry) {}

  @Get()
  get(@CurrentActor() actor: Actor, @Query() range: CalendarRangeDto): CalendarView {
    const calendar = this.calendars.current.forCounty(actor.countyId);
    const errors: FieldError[] = [];
    // One message per field: a year the calendar does not cover first, then the range's length.
    const fromYear = Number(range.from.slice(0, 4));
    const toYear = Number(range.to.slice(0, 4));
    for (let year = fromYear; year <= Math.max(fromYear, toYear); year++) {
      if (calendar.yearStatus(year) !== 'missing') continue;
      errors.push({
        field: year === fromYear ? 'from' : 'to',
        message: `${year} is a year the working calendar does not cover (neither loaded nor derivable)`,
      });
      break;
    }
    const span = (Date.parse(range.to) - Date.parse(range.from)) / DAY + 1;
    if (errors.length === 0 && (span < 1 || span > MAX_CALENDAR_DAYS)) {
      const message = span < 1 ? 'must not be before from' : `the range may span at most ${MAX_CALENDAR_DAYS} days, from and to included`;
      errors.push({ field: 'to', message });
    }
    if (errors.length > 0) throw Problem.badRequest(errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors);
    const days: CalendarDay[] = calendar.days(range.from, range.to);
    const provisionalYears = [...new Set(days.filter((d) => d.provisional).map((d) => d.date.slice(0, 4)))];
    return {
      version: calendar.versionWith(provisionalYears),
      countyId: actor.countyId,
      timeZone: calendar.timeZone,
      workingHours: calendar.workingHours,
      from: range.from,
      to: range.to,
      provisionalYears,
      days,
    };
  }
}
