/** The calendar data failed validation; `problems` lists every problem found, not just the first. */
export class CalendarInvalid extends Error {
  readonly code = 'CALENDAR.INVALID';
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid calendar ${source}:\n  - ${problems.join('\n  - ')}`);
    this.name = 'CalendarInvalid';
  }
}

export type CalendarErrorCode = 'CALENDAR.YEAR_NOT_COVERED' | 'CALENDAR.BAD_ARGUMENT';

/** A computation the calendar refuses: a year it has no holiday data for, or a malformed argument. */
export class CalendarError extends Error {
  constructor(
    readonly code: CalendarErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CalendarError';
  }

  static yearNotCovered(year: string, version: string, covered: readonly string[]): CalendarError {
    return new CalendarError(
      'CALENDAR.YEAR_NOT_COVERED',
      `calendar ${version} has no holiday data for ${year} (covers ${covered.join(', ') || 'no years'}); refusing to guess working days`,
    );
  }

  static badArgument(message: string): CalendarError {
    return new CalendarError('CALENDAR.BAD_ARGUMENT', message);
  }
}
