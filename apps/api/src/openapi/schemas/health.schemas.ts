import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

class RebuildPartition {
  @ApiProperty({ example: '0/4' }) partition!: string;
  @ApiProperty({ type: 'integer', nullable: true }) checkpoint!: number | null;
}

class RebuildProgress {
  @ApiProperty({ type: 'integer', minimum: 1, example: 2 }) generation!: number;
  @ApiProperty({ type: 'integer', nullable: true, description: 'Last position the rebuild applied' }) checkpoint!: number | null;
  @ApiPropertyOptional({ type: [RebuildPartition], description: 'While the history is folded in stream partitions' }) partitions?: RebuildPartition[];
}

export class ReadModelHealth {
  @ApiProperty({ type: 'integer', nullable: true, description: 'Last store position applied (null: nothing yet)', example: 1287 }) checkpoint!: number | null;
  @ApiProperty({ type: 'integer', description: 'Store positions not yet applied', example: 0 }) behind!: number;
  @ApiProperty({ type: 'integer', minimum: 1, description: 'The generation of tables serving reads', example: 1 }) generation!: number;
  @ApiProperty({ type: RebuildProgress, nullable: true, description: 'A rebuild running next to the service (npm run rebuild)' })
  rebuilding!: RebuildProgress | null;
}

class StoreHealth {
  @ApiProperty({ type: 'integer', nullable: true, description: 'Position of the last event (null: empty store)', example: 1287 }) head!: number | null;
}

class CalendarRefusalView {
  @ApiProperty({ type: String, format: 'date-time' }) at!: string;
  @ApiProperty({ example: '/etc/chuishao/calendar/2027.json' }) source!: string;
  @ApiProperty({ type: [String], example: ['2027.json: years.2027.holidays: missing statutory day 2027-01-01 (元旦)'] }) problems!: string[];
}

class CalendarHealth {
  @ApiProperty({ enum: ['ok', 'degraded'], description: 'degraded: a deadline within 60 days may fall in a provisional year, or a calendar file was refused' })
  status!: string;
  @ApiProperty({ example: 'cn-national-2026.1' }) version!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: { enum: ['official', 'provisional', 'missing'] },
    description: 'Per year: official (arrangement loaded), provisional (derived from the statutory holidays), missing (refused)',
    example: { '2025': 'official', '2026': 'official', '2027': 'provisional' },
  })
  years!: Record<string, string>;
  @ApiProperty({ type: [String], description: 'Provisional years a deadline set within 60 days may fall in: the notices to load', example: ['2027'] })
  provisionalSoon!: string[];
  @ApiProperty({ type: CalendarRefusalView, nullable: true, description: 'The last calendar file refused; the calendar in force stayed' })
  refused!: CalendarRefusalView | null;
  @ApiProperty({ type: String, nullable: true, description: 'What the operator should do' }) advice!: string | null;
}

/** The details, for the command centre and the operator. */
export class Health {
  @ApiProperty({ enum: ['ok', 'degraded'], description: 'degraded still serves: see calendar' }) status!: string;
  @ApiProperty({ type: String, format: 'date-time' }) now!: string;
  @ApiProperty({ type: StoreHealth }) store!: StoreHealth;
  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/ReadModelHealth' },
    description: 'Per read model (case-inbox, scoring-parts)',
  })
  readModels!: Record<string, ReadModelHealth>;
  @ApiProperty({ type: CalendarHealth }) calendar!: CalendarHealth;
}

/** What anyone is told: whether the service is ready, and whether it is degraded. */
export class HealthStatus {
  @ApiProperty({
    enum: ['ok', 'degraded'],
    description: 'degraded still serves: a deadline may rest on a provisional calendar year, or a calendar file was refused',
  })
  status!: string;
}

export class HealthLive {
  @ApiProperty({ enum: ['ok'] }) status!: string;
}

export class HealthUnavailable {
  @ApiProperty({ enum: ['unavailable'] }) status!: string;
  @ApiProperty({ example: 'the event store does not answer' }) detail!: string;
}
