import { Controller, Get, Header, Param, Query } from '@nestjs/common';
import { QueryBus, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Actor } from '@chuishao/domain';
import { explainPart, isoOf, type ExplainedPart, type ScorecardRow } from '@chuishao/scoring';
import { CurrentActor } from '../../auth/auth.guard';
import { ScorecardPeriodDto } from '../scorecard-params';
import { ScorecardService } from '../scorecard.service';
import { HeavyRead } from '../../http/rate-limit';

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
  constructor(
    readonly actor: Actor,
    readonly departmentId: string,
    readonly params: ScorecardPeriodDto,
  ) {}
}

/**
 * Answers a ScorecardExplanation as JSON text: the parts (~1 KiB each, thousands for a busy
 * department) are rendered once per change of the read model and asOf interval, see ScorecardReader.cachedText.
 */
@QueryHandler(ExplainScorecardQuery)
export class ExplainScorecardHandler implements IQueryHandler<ExplainScorecardQuery, string> {
  constructor(private readonly scorecards: ScorecardService) {}

  async execute({ actor, departmentId, params }: ExplainScorecardQuery): Promise<string> {
    const department = this.scorecards.department(actor, departmentId);
    this.scorecards.assertMayExplain(actor, department.id);
    const request = await this.scorecards.request(params, department.countyId);
    const reader = this.scorecards.reader;
    const row = reader.scorecard(request).departments.find((r) => r.departmentId === department.id)!;
    const parts = reader.cachedText(`explain|${department.id}`, request, () => {
      const name = (id: string) => this.scorecards.directory.get(id)?.name ?? null;
      const explained: ScorecardExplanation['parts'] = reader.explain(request, department.id).parts.map((e) => {
        const part = explainPart(e, request.asOf);
        return { ...part, townshipName: name(part.townshipId) };
      });
      return JSON.stringify(explained);
    });
    const head = { from: request.from, to: request.to, asOf: isoOf(request.asOf), policyVersion: request.policy.version, countyId: department.countyId };
    return `${JSON.stringify(head).slice(0, -1)},"department":${JSON.stringify(row)},"parts":${parts}}`;
  }
}

@Controller('v1/scorecards/:departmentId/explain')
export class ExplainScorecardRoute {
  constructor(private readonly queries: QueryBus) {}

  /** Every part counted on the department's row, the instants it was scored on, and what it entered. */
  @Get()
  @HeavyRead('always')
  @Header('Content-Type', 'application/json; charset=utf-8')
  explain(@CurrentActor() actor: Actor, @Param('departmentId') departmentId: string, @Query() params: ScorecardPeriodDto) {
    return this.queries.execute<ExplainScorecardQuery, string>(new ExplainScorecardQuery(actor, departmentId, params));
  }
}
