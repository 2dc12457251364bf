import { Controller, Get, Param, Res } from '@nestjs/common';
import { QueryHandler, QueryBus, type IQueryHandler } from '@nestjs/cqrs';
import type { Response } from 'express';
import { toCaseView, type Actor, type CaseView } from '@chuishao/domain';
import { CurrentActor } from '../../auth/auth.guard';
import { CaseIdPipe } from '../case-id.pipe';
import { CaseReader } from '../case-reader';
import { sendCase } from '../send-case';

export class GetCaseQuery {
  constructor(
    readonly caseId: string,
    readonly actor: Actor,
  ) {}
}

@QueryHandler(GetCaseQuery)
export class GetCaseHandler implements IQueryHandler<GetCaseQuery, CaseView> {
  constructor(private readonly reader: CaseReader) {}
  async execute({ caseId, actor }: GetCaseQuery): Promise<CaseView> {
    const { state, version, position } = await this.reader.load(caseId, actor);
    return toCaseView(state, version, position);
  }
}

@Controller('v1/cases/:caseId')
export class GetCaseRoute {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  async get(@Param('caseId', CaseIdPipe) caseId: string, @CurrentActor() actor: Actor, @Res({ passthrough: true }) res: Response) {
    return sendCase(res, { view: await this.queries.execute<GetCaseQuery, CaseView>(new GetCaseQuery(caseId, actor)) });
  }
}
