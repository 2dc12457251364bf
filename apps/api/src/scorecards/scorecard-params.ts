import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, MaxLength, ValidateBy } from 'class-validator';
import { parseLocalDate } from '@chuishao/scoring';
import { IsInstant } from '../http/validators';

export { INSTANT } from '../http/validators';

const IsLocalDate = () =>
  ValidateBy({
    name: 'isLocalDate',
    validator: {
      validate: (v: unknown) => typeof v === 'string' && parseLocalDate(v) !== null,
      defaultMessage: () => 'must be a calendar date YYYY-MM-DD (a local date of the county)',
    },
  });

export const SCORECARD_FORMATS = ['json', 'csv', 'csv-zh', 'xlsx'] as const;
export type ScorecardFormat = (typeof SCORECARD_FORMATS)[number];

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
  /** json; csv (the machine CSV: field names, raw fractions); csv-zh and xlsx (for clerks: Chinese, percentages, header block). */
  @IsOptional() @IsIn(SCORECARD_FORMATS) format?: ScorecardFormat;
}
