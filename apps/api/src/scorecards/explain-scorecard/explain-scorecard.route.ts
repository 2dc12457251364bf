import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Actor } from '@chuishao/domain';
import { explainPart, type ExplainedPart, type ScorecardRow } from '@chuishao/scoring';
import { CurrentActor } from '../../auth/auth.guard';
import { ScorecardPeriodDto } from '../scorecard-params';
import { ScorecardService } from '../scorecard.service';

export interface ScorecardExplanation {
  from: string;
  to: string;
  asOf: string;
  policyVersion: string;
  countyId: string;
  /** The department's scorecard row: every count in it is the sum of `parts[].counts`. */
  department: ScorecardRow;
  parts: (ExplainedPart & { townshipName: string | null })[];
}

export class ExplainScorecardQuery {
  constructor(readonly actor: Actor, readonly departmentId: string, readonly params: ScorecardPeriodDto) {}
}

@QueryHandler(ExplainScorecardQuery)
export class ExplainScorecardHandler implements IQueryHandler<ExplainScorecardQuery, ScorecardExplanation> {
  constructor(private readonly scorecards: ScorecardService) {}

  async execute({ actor, departmentId, params }: ExplainScorecardQuery): Promise<ScorecardExplanation> {
    const department = this.scorecards.department(actor, departmentId);
    this.scorecards.assertMayExplain(actor, department.id);
    const request = await this.scorecards.request(params, department.countyId);
    const explained = this.scorecards.reader.explain(request, department.id);
    const name = (id: string) => this.scorecards.directory.get(id)?.name ?? null;
    return {
      from: explained.from,
      to: explained.to,
      asOf: explained.asOf,
      policyVersion: explained.policyVersion,
      countyId: department.countyId,
      department: explained.department,
      parts: explained.parts.map((e) => {
        const part = explainPart(e, request.asOf);
        return { ...part, townshipName: name(part.townshipId) };
      }),
    };
  }
}

@Controller('v1/scorecards/:departmentId/explain')
export class ExplainScorecardRoute {
  constructor(private readonly queries: QueryBus) {}

  /** Every part counted on the department's row, the instants it was scored on, and what it entered. */
  @Get()
  explain(@CurrentActor() actor: Actor, @Param('departmentId') departmentId: string, @Query() params: ScorecardPeriodDto) {
    return this.queries.execute<ExplainScorecardQuery, ScorecardExplanation>(new ExplainScorecardQuery(actor, departmentId, params));
  }
}
