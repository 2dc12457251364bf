import { Controller, Get, Param } from '@nestjs/common';
import { QueryHandler, QueryBus, type IQueryHandler } from '@nestjs/cqrs';
import type { Actor } from '@chuishao/domain';
import { CurrentActor } from '../../auth/auth.guard';
import { CaseIdPipe } from '../case-id.pipe';
import { CaseReader } from '../case-reader';

export interface CaseEventView {
  id: string;
  type: string;
  revision: number;
  position: number;
  occurredAt: string;
  recordedAt: string;
  actor: { orgId: string; role: string; userId: string };
  correlationId: string;
  causationId: string;
  data: Record<string, unknown>;
}

export class GetCaseEventsQuery {
  constructor(
    readonly caseId: string,
    readonly actor: Actor,
  ) {}
}

/** 全程留痕: the whole history of a case, who did each step and when. */
@QueryHandler(GetCaseEventsQuery)
export class GetCaseEventsHandler implements IQueryHandler<GetCaseEventsQuery, CaseEventView[]> {
  constructor(private readonly reader: CaseReader) {}
  async execute({ caseId, actor }: GetCaseEventsQuery): Promise<CaseEventView[]> {
    const history = await this.reader.history(caseId, actor);
    return history.map((e) => ({
      id: e.id,
      type: e.type,
      revision: e.revision,
      position: e.position,
      occurredAt: String(e.data.occurredAt),
      recordedAt: e.recordedAt,
      actor: e.metadata.actor,
      correlationId: e.metadata.correlationId,
      causationId: e.metadata.causationId,
      data: e.data,
    }));
  }
}

@Controller('v1/cases/:caseId/events')
export class GetCaseEventsRoute {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  get(@Param('caseId', CaseIdPipe) caseId: string, @CurrentActor() actor: Actor) {
    return this.queries.execute<GetCaseEventsQuery, CaseEventView[]>(new GetCaseEventsQuery(caseId, actor));
  }
}
