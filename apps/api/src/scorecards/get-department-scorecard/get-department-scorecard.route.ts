import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Actor } from '@chuishao/domain';
import type { DepartmentScorecard } from '@chuishao/scoring';
import { CurrentActor } from '../../auth/auth.guard';
import { ScorecardPeriodDto } from '../scorecard-params';
import { ScorecardService } from '../scorecard.service';
import { HeavyRead } from '../../http/rate-limit';

export type DepartmentScorecardView = DepartmentScorecard & { countyId: string };

export class GetDepartmentScorecardQuery {
  constructor(
    readonly actor: Actor,
    readonly departmentId: string,
    readonly params: ScorecardPeriodDto,
  ) {}
}

@QueryHandler(GetDepartmentScorecardQuery)
export class GetDepartmentScorecardHandler implements IQueryHandler<GetDepartmentScorecardQuery, DepartmentScorecardView> {
  constructor(private readonly scorecards: ScorecardService) {}

  async execute({ actor, departmentId, params }: GetDepartmentScorecardQuery): Promise<DepartmentScorecardView> {
    const department = this.scorecards.department(actor, departmentId);
    const request = await this.scorecards.request(params, department.countyId);
    return { countyId: department.countyId, ...this.scorecards.reader.department(request, department.id) };
  }
}

@Controller('v1/scorecards/:departmentId')
export class GetDepartmentScorecardRoute {
  constructor(private readonly queries: QueryBus) {}

  /** One department over the period (ranked within its county), and month by month. */
  @Get()
  @HeavyRead('withAsOf')
  get(@CurrentActor() actor: Actor, @Param('departmentId') departmentId: string, @Query() params: ScorecardPeriodDto) {
    return this.queries.execute<GetDepartmentScorecardQuery, DepartmentScorecardView>(new GetDepartmentScorecardQuery(actor, departmentId, params));
  }
}
