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
  @ApiProperty({ type: RebuildProgress, nullable: true, description: 'A rebuild running next to the service (npm run rebuild)' }) rebuilding!: RebuildProgress | null;
}

class StoreHealth {
  @ApiProperty({ type: 'integer', nullable: true, description: 'Position of the last event (null: empty store)', example: 1287 }) head!: number | null;
}

class CalendarHealth {
  @ApiProperty({ type: [String], description: 'Years the working calendar has data for', example: ['2025', '2026'] }) coveredYears!: string[];
}

export class Health {
  @ApiProperty({ enum: ['ok'] }) status!: string;
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

export class HealthUnavailable {
  @ApiProperty({ enum: ['unavailable'] }) status!: string;
  @ApiProperty({ example: 'the event store does not answer' }) detail!: string;
}
