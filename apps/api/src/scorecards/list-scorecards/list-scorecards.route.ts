import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { QueryBus, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import type { Actor } from '@chuishao/domain';
import { scorecardCsv, type Scorecard } from '@chuishao/scoring';
import { CurrentActor } from '../../auth/auth.guard';
import { ListScorecardsDto } from '../scorecard-params';
import { ScorecardService } from '../scorecard.service';

export type CountyScorecard = Scorecard & { countyId: string };

export class ListScorecardsQuery {
  constructor(readonly actor: Actor, readonly params: ListScorecardsDto, readonly format: 'json' | 'csv') {}
}

/** The scorecard as the body to send: JSON text (serialized once per scorecard, see ScorecardReader) or CSV. */
export type ScorecardBody = { format: 'json'; text: string } | { format: 'csv'; card: CountyScorecard };

@QueryHandler(ListScorecardsQuery)
export class ListScorecardsHandler implements IQueryHandler<ListScorecardsQuery, ScorecardBody> {
  constructor(private readonly scorecards: ScorecardService) {}

  async execute({ actor, params, format }: ListScorecardsQuery): Promise<ScorecardBody> {
    const countyId = this.scorecards.county(actor, params.countyId);
    const request = await this.scorecards.request(params, countyId);
    if (format === 'json') return { format, text: this.scorecards.reader.scorecardJson(request) };
    const card = this.scorecards.reader.scorecard(request);
    return { format, card: { from: card.from, to: card.to, asOf: card.asOf, policyVersion: card.policyVersion, countyId, departments: card.departments } };
  }
}

@Controller('v1/scorecards')
export class ListScorecardsRoute {
  constructor(private readonly queries: QueryBus) {}

  /** 以下评上: the county's departments ranked; JSON, or CSV (UTF-8 with BOM) for Excel. */
  @Get()
  async list(@CurrentActor() actor: Actor, @Query() params: ListScorecardsDto, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const csv = params.format === 'csv' || (params.format === undefined && req.accepts(['application/json', 'text/csv']) === 'text/csv');
    const body = await this.queries.execute<ListScorecardsQuery, ScorecardBody>(new ListScorecardsQuery(actor, params, csv ? 'csv' : 'json'));
    res.vary('Accept');
    if (body.format === 'json') {
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      return body.text;
    }
    const card = body.card;
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="scorecards-${card.countyId}-${card.from}-${card.to}.csv"`);
    res.setHeader('X-Scorecard-As-Of', card.asOf);
    res.setHeader('X-Scorecard-Policy-Version', card.policyVersion);
    return scorecardCsv(card);
  }
}
