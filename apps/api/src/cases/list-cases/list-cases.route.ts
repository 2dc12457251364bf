import { Controller, Get, Inject, Query } from '@nestjs/common';
import { QueryHandler, QueryBus, type IQueryHandler } from '@nestjs/cqrs';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { Actor } from '@chuishao/domain';
import { InvalidCursor, queryInbox, type InboxPage } from '@chuishao/projections';
import { CurrentActor } from '../../auth/auth.guard';
import { Problem } from '../../http/problem';
import { READ_MODELS } from '../../tokens';
import type { ReadModels } from '../../read-models';

export class ListCasesDto {
  @IsOptional() @IsIn(['open', 'closed', 'withdrawn']) status?: 'open' | 'closed' | 'withdrawn';
  @IsOptional() @IsString() @MaxLength(64) departmentId?: string;
  @IsOptional() @IsString() @MaxLength(64) townshipId?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) limit?: number;
  @IsOptional() @IsString() @MaxLength(512) cursor?: string;
  /** Read-your-writes: wait until the inbox has applied this position (from a command response). */
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) minPosition?: number;
}

export class ListCasesQuery {
  constructor(readonly actor: Actor, readonly params: ListCasesDto) {}
}

@QueryHandler(ListCasesQuery)
export class ListCasesHandler implements IQueryHandler<ListCasesQuery, InboxPage> {
  constructor(@Inject(READ_MODELS) private readonly readModels: ReadModels) {}

  async execute({ actor, params }: ListCasesQuery): Promise<InboxPage> {
    if (params.minPosition !== undefined) await this.readModels.waitFor('case-inbox', params.minPosition);
    try {
      const { status, departmentId, townshipId, cursor } = params;
      return queryInbox(this.readModels.db, actor, { status, departmentId, townshipId, cursor, limit: params.limit ?? 20 });
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
