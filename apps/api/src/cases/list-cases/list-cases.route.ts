import { Controller, Get, Inject, Query } from '@nestjs/common';
import { QueryHandler, QueryBus, type IQueryHandler } from '@nestjs/cqrs';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { CATEGORIES, PENDING_MOVES, type Actor, type AlertLevel, type Category, type PendingMove } from '@chuishao/domain';
import type { Clock } from '@chuishao/runtime';
import { InvalidCursor, queryInbox, type InboxPage } from '@chuishao/projections';
import { CurrentActor } from '../../auth/auth.guard';
import { Problem } from '../../http/problem';
import { IntegerParam, IsDateOrInstant } from '../../http/validators';

const plusFromSpace = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.replace(/ (\d{2}:\d{2})$/, '+$1') : value);
import type { EventStore } from '@chuishao/event-store';
import { CLOCK, EVENT_STORE, READ_MODELS } from '../../tokens';
import type { ReadModels } from '../../read-models';

export class ListCasesDto {
  @IsOptional() @IsIn(['open', 'closed', 'withdrawn']) status?: 'open' | 'closed' | 'withdrawn';
  @IsOptional() @IsString() @MaxLength(64) departmentId?: string;
  @IsOptional() @IsString() @MaxLength(64) townshipId?: string;
  @IsOptional() @IsIn(CATEGORIES) category?: Category;
  // An unencoded '+' of a UTC offset arrives as a space; take it back.
  @IsOptional() @Transform(plusFromSpace) @IsDateOrInstant() raisedFrom?: string;
  @IsOptional() @Transform(plusFromSpace) @IsDateOrInstant() raisedTo?: string;
  /** Full text over title and description (substring; Chinese text works as is). */
  @IsOptional() @IsString() @MinLength(1) @MaxLength(100) q?: string;
  @IsOptional() @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value)) @IsBoolean() overdue?: boolean;
  @IsOptional() @IsIn(['none', 'reminded', 'overdue', 'escalated']) escalation?: AlertLevel;
  /** Cases with a part awaiting a decision on this move: extension (延期 to approve), return (退单 to decide), appeal (申诉 to rule on). */
  @IsOptional() @IsIn(PENDING_MOVES) pending?: PendingMove;
  @IsOptional() @IntegerParam() @IsInt() @Min(1) @Max(100) limit?: number;
  @IsOptional() @IsString() @MaxLength(512) cursor?: string;
  /** Read-your-writes: wait until the inbox has applied this position (from a command response). */
  @IsOptional() @IntegerParam() @IsInt() @Min(0) minPosition?: number;
}

export class ListCasesQuery {
  constructor(
    readonly actor: Actor,
    readonly params: ListCasesDto,
  ) {}
}

@QueryHandler(ListCasesQuery)
export class ListCasesHandler implements IQueryHandler<ListCasesQuery, InboxPage> {
  constructor(
    @Inject(READ_MODELS) private readonly readModels: ReadModels,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async execute({ actor, params }: ListCasesQuery): Promise<InboxPage> {
    if (params.minPosition !== undefined) {
      // A position the store has not reached came from no command response: a client error, not a read model behind.
      const head = await this.store.headPosition();
      if (head === null || params.minPosition > head) {
        const message = `is beyond the store's last position (${head ?? 'none yet'}); pass the position of a command response`;
        throw Problem.badRequest(`minPosition: ${message}`, [{ field: 'minPosition', message }]);
      }
      await this.readModels.waitFor('case-inbox', params.minPosition);
    }
    try {
      const { limit, minPosition, raisedFrom, raisedTo, ...filters } = params;
      return queryInbox(this.readModels.db, actor, {
        ...filters,
        raisedFrom: raisedFrom && new Date(raisedFrom).toISOString(),
        raisedTo: raisedTo && new Date(raisedTo).toISOString(),
        limit: limit ?? 20,
        now: this.clock.now().toISOString(),
      });
    } catch (error) {
      if (error instanceof InvalidCursor) throw Problem.badRequest(error.message, [{ field: 'cursor', message: error.message }]);
      throw error;
    }
  }
}

@Controller('v1/cases')
export class ListCasesRoute {
  constructor(private readonly queries: QueryBus) {}

  /** The caller's inbox, from the checkpointed read model, newest first. */
  @Get()
  list(@CurrentActor() actor: Actor, @Query() params: ListCasesDto) {
    return this.queries.execute<ListCasesQuery, InboxPage>(new ListCasesQuery(actor, params));
  }
}
