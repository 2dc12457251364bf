import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { QueryBus, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import type { Actor } from '@chuishao/domain';
import { scorecardCsv, type Scorecard } from '@chuishao/scoring';
import { CurrentActor } from '../../auth/auth.guard';
import { ListScorecardsDto } from '../scorecard-params';
import { ScorecardService } from '../scorecard.service';
import { HeavyRead } from '../../http/rate-limit';

export type CountyScorecard = Scorecard & { countyId: string };

export class ListScorecardsQuery {
  constructor(readonly actor: Actor, readonly params: ListScorecardsDto, readonly format: 'json' | 'csv') {}
}

/** The scorecard as the body to send: UTF-8 JSON (the rows serialized once per scorecard, see ScorecardReader) or CSV. */
export type ScorecardBody = { format: 'json'; bytes: Buffer } | { format: 'csv'; card: CountyScorecard };

@QueryHandler(ListScorecardsQuery)
export class ListScorecardsHandler implements IQueryHandler<ListScorecardsQuery, ScorecardBody> {
  constructor(private readonly scorecards: ScorecardService) {}

  async execute({ actor, params, format }: ListScorecardsQuery): Promise<ScorecardBody> {
    const countyId = this.scorecards.county(actor, params.countyId);
    const request = await this.scorecards.request(params, countyId);
    if (format === 'json') return { format, bytes: this.scorecards.reader.scorecardJson(request) };
    const card = this.scorecards.reader.scorecard(request);
    return { format, card: { from: card.from, to: card.to, asOf: card.asOf, policyVersion: card.policyVersion, countyId, departments: card.departments } };
  }
}

@Controller('v1/scorecards')
export class ListScorecardsRoute {
  constructor(private readonly queries: QueryBus) {}

  /** 以下评上: the county's departments ranked; JSON, or CSV (UTF-8 with BOM) for Excel. */
  @Get()
  @HeavyRead('withAsOf')
  async list(@CurrentActor() actor: Actor, @Query() params: ListScorecardsDto, @Req() req: Request, @Res() res: Response): Promise<void> {
    const csv = params.format === 'csv' || (params.format === undefined && req.accepts(['application/json', 'text/csv']) === 'text/csv');
    const body = await this.queries.execute<ListScorecardsQuery, ScorecardBody>(new ListScorecardsQuery(actor, params, csv ? 'csv' : 'json'));
    res.vary('Accept');
    if (body.format === 'json') {
      // The bytes as they are: the most read body of the API, sent without Express re-encoding or inspecting it.
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.setHeader('Content-Length', body.bytes.length);
      res.end(body.bytes);
      return;
    }
    const card = body.card;
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="scorecards-${card.countyId}-${card.from}-${card.to}.csv"`);
    res.setHeader('X-Scorecard-As-Of', card.asOf);
    res.setHeader('X-Scorecard-Policy-Version', card.policyVersion);
    res.send(scorecardCsv(card));
  }
}
