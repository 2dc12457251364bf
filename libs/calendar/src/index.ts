export { BusinessCalendar } from './business-calendar';
export { CalendarError, CalendarInvalid } from './errors';
export type { CalendarErrorCode } from './errors';
export type { CalendarData, CalendarYear, WorkingPeriod } from './calendar-data';
export { LIMIT_CLOCKS, LIMIT_UNITS, deadline, fractionElapsedAt, limitProblems } from './limits';
export type { LimitClock, LimitUnit, TimeLimit } from './limits';
