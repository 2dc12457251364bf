import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import type { Response } from 'express';
import { auditCsv, decodeCursor, InvalidAuditCursor, readAudit, type AuditCursor, type AuditPage } from '@chuishao/audit';
import type { Actor, FieldError } from '@chuishao/domain';
import type { EventStore } from '@chuishao/event-store';
import type { Clock } from '@chuishao/runtime';
import { CurrentActor } from '../auth/auth.guard';
import { Problem } from '../http/problem';
import { HeavyRead } from '../http/rate-limit';
import { IsDateOrInstant } from '../http/validators';
import { CLOCK, EVENT_STORE } from '../tokens';
import { AuditTrail } from './audit-trail';

const plusFromSpace = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.replace(/ (\d{2}:\d{2})$/, '+$1') : value);

/** The longest period one request may cover. */
export const MAX_AUDIT_DAYS = 366;
/** The period when from is not given: the last seven days. */
const DEFAULT_DAYS = 7;
export const ORG_ID = /^[a-z0-9][a-z0-9-]{1,63}$/;
export const OUTCOME = /^[A-Z][A-Z0-9_]*(\.[A-Z0-9_]+)*$/;
export const AUDIT_LIMIT = { json: { default: 100, max: 1000 }, csv: { default: 10_000, max: 10_000 } } as const;

export class ListAuditDto {
  @IsOptional() @Transform(plusFromSpace) @IsDateOrInstant() from?: string;
  @IsOptional() @Transform(plusFromSpace) @IsDateOrInstant() to?: string;
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @Matches(ORG_ID, { message: 'must be an org id of the directory (lower-case letters, digits and -)' })
  orgId?: string;
  @IsOptional() @IsString() @MaxLength(64) @Matches(OUTCOME, { message: 'must be a problem code such as CASE.NOT_FOUND or RATE_LIMITED' }) outcome?: string;
  @IsOptional() @IsString() @MaxLength(64) cursor?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(AUDIT_LIMIT.csv.max) limit?: number;
  @IsOptional() @IsIn(['json', 'csv']) format?: 'json' | 'csv';
}

/** Milliseconds of a date (its start, UTC) or an instant. */
const msOf = (v: string) => Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);

@Controller('v1/audit')
export class ListAuditRoute {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly trail: AuditTrail,
  ) {}

  /** The audit trail of refused requests, for the command centre: JSON pages, or CSV. */
  @Get()
  @HeavyRead('withAsOf')
  async list(@CurrentActor() actor: Actor, @Query() params: ListAuditDto, @Res() res: Response): Promise<void> {
    if (actor.role !== 'command_centre') throw Problem.forbidden('the audit trail is for the command centre');
    const format = params.format ?? 'json';
    const errors: FieldError[] = [];
    const now = this.clock.now().getTime();
    // `to` is exclusive; by default everything recorded so far.
    const to = params.to === undefined ? now + 1 : msOf(params.to);
    const from = params.from === undefined ? to - DEFAULT_DAYS * 86_400_000 : msOf(params.from);
    if (from >= to) errors.push({ field: 'to', message: 'must be after from (the period is [from, to))' });
    else if (to - from > MAX_AUDIT_DAYS * 86_400_000) errors.push({ field: 'from', message: `the period may span at most ${MAX_AUDIT_DAYS} days` });
    const limit = params.limit ?? AUDIT_LIMIT[format].default;
    if (limit > AUDIT_LIMIT[format].max) errors.push({ field: 'limit', message: `must not be greater than ${AUDIT_LIMIT[format].max} for ${format}` });
    let cursor: AuditCursor | null = null;
    try {
      if (params.cursor !== undefined) cursor = decodeCursor(params.cursor);
    } catch (error) {
      if (!(error instanceof InvalidAuditCursor)) throw error;
      errors.push({ field: 'cursor', message: error.message });
    }
    if (errors.length) throw Problem.badRequest(errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors);

    // What this instance has buffered is stored first, so the trail includes every refusal answered so far here.
    await this.trail.recorder.flush();
    const page: AuditPage = await readAudit(this.store, { from, to, countyId: actor.countyId, orgId: params.orgId, outcome: params.outcome, cursor, limit });
    if (format === 'json') {
      res.json(page);
      return;
    }
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader(
      'Content-Disposition',
      `attachment; filename="audit-${new Date(from).toISOString().slice(0, 10)}-${new Date(to - 1).toISOString().slice(0, 10)}.csv"`,
    );
    if (page.nextCursor) res.setHeader('X-Next-Cursor', page.nextCursor);
    res.send(auditCsv(page.items));
  }
}
