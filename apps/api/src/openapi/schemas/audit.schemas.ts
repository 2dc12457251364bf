import { ApiProperty } from '@nestjs/swagger';

const NULLABLE = { type: String, nullable: true } as const;
const INSTANT = { type: String, format: 'date-time' } as const;

/** One line of the audit trail of refusals (libs/audit AuditItem). */
export class AuditItem {
  @ApiProperty({ format: 'uuid', description: 'The event that records it' }) id!: string;
  @ApiProperty({
    enum: ['refusal', 'aggregate'],
    description: '`aggregate`: a caller’s refusals with one outcome in one window beyond its per-minute allowance, counted rather than recorded one by one',
  })
  kind!: 'refusal' | 'aggregate';
  @ApiProperty({ ...INSTANT, description: 'When it was refused; an aggregate’s window start' }) at!: string;
  @ApiProperty({ type: 'integer', minimum: 1, description: '1, or the refusals an aggregate stands for' }) count!: number;
  @ApiProperty({ ...INSTANT, nullable: true, description: 'An aggregate’s window [windowStart, windowEnd)' }) windowStart!: string | null;
  @ApiProperty({ ...INSTANT, nullable: true }) windowEnd!: string | null;
  @ApiProperty({ ...NULLABLE, description: 'The caller’s county; null when the token was missing or refused', example: 'county-qingchuan' }) countyId!:
    | string
    | null;
  @ApiProperty({ ...NULLABLE, description: 'The caller’s org; null when the token was missing or refused', example: 'twp-longquan' }) orgId!: string | null;
  @ApiProperty({ ...NULLABLE, description: 'The token’s sub', example: 'li.ming' }) userId!: string | null;
  @ApiProperty({ ...NULLABLE, example: 'township' }) role!: string | null;
  @ApiProperty({ ...NULLABLE, description: 'The client address the service saw', example: '10.12.0.7' }) ip!: string | null;
  @ApiProperty({ ...NULLABLE, example: 'POST' }) method!: string | null;
  @ApiProperty({ ...NULLABLE, description: 'The route pattern', example: '/v1/cases/:caseId/responses' }) route!: string | null;
  @ApiProperty({ ...NULLABLE, format: 'uuid', description: 'The case the path names' }) caseId!: string | null;
  @ApiProperty({ type: 'integer', minimum: 400, maximum: 499, example: 404 }) status!: number;
  @ApiProperty({ description: 'The problem’s code', example: 'CASE.NOT_FOUND' }) outcome!: string;
  @ApiProperty({ description: 'The problem’s detail (at most 300 characters); an aggregate’s count, period and routes' }) detail!: string;
  @ApiProperty({
    description: 'X-Correlation-Id of the request, or the id the service gave it; an aggregate: of its first refusal',
    example: 'wf-20260302-0001',
  })
  correlationId!: string;
}

export class AuditPage {
  @ApiProperty({
    type: [AuditItem],
    description: 'In the order recorded, day by day; fewer than limit (even none) when the page’s scan budget ran out: follow nextCursor',
  })
  items!: AuditItem[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page; null when the period has no more' }) nextCursor!: string | null;
}
