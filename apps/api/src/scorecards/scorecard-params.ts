import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, MaxLength, ValidateBy } from 'class-validator';
import { parseLocalDate } from '@chuishao/scoring';

/** ISO-8601 with a time zone, at most millisecond precision (what a scorecard states as its asOf). */
export const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

const IsLocalDate = () =>
  ValidateBy({
    name: 'isLocalDate',
    validator: {
      validate: (v: unknown) => typeof v === 'string' && parseLocalDate(v) !== null,
      defaultMessage: () => 'must be a calendar date YYYY-MM-DD (a local date of the county)',
    },
  });

const IsInstant = () =>
  ValidateBy({
    name: 'isInstant',
    validator: {
      validate: (v: unknown) => typeof v === 'string' && INSTANT.test(v) && !Number.isNaN(Date.parse(v)),
      defaultMessage: () => 'must be an ISO-8601 instant with a zone and at most milliseconds, e.g. 2026-03-31T16:00:00.000Z (send + as %2B)',
    },
  });

/** The period and instant every scorecard route takes: [from, to) as local dates, asOf default now. */
export class ScorecardPeriodDto {
  @IsLocalDate() from!: string;
  @IsLocalDate() to!: string;
  // An unencoded '+' of a UTC offset arrives as a space; take it back.
  @IsOptional() @Transform(({ value }) => (typeof value === 'string' ? value.replace(/ (\d{2}:\d{2})$/, '+$1') : value)) @IsInstant() asOf?: string;
  /** Re-score under a named scoring policy version instead of the one in force at asOf. */
  @IsOptional() @IsString() @MaxLength(64) policy?: string;
}

export class ListScorecardsDto extends ScorecardPeriodDto {
  @IsOptional() @IsString() @MaxLength(64) countyId?: string;
  @IsOptional() @IsIn(['json', 'csv']) format?: 'json' | 'csv';
}
