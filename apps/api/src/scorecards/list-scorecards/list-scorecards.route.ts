import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { QueryBus, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import type { Actor } from '@chuishao/domain';
import { scorecardCsv, type Scorecard } from '@chuishao/scoring';
import { CurrentActor } from '../../auth/auth.guard';
import { ListScorecardsDto, type ScorecardFormat } from '../scorecard-params';
import { ScorecardService } from '../scorecard.service';
import { HeavyRead } from '../../http/rate-limit';
import { clerkScorecard, type ClerkScorecard } from './clerk-scorecard';
import { attachment, clerkCsv, clerkXlsx, XLSX_TYPE } from './scorecard-downloads';

export type CountyScorecard = Scorecard & { countyId: string };

export class ListScorecardsQuery {
  constructor(
    readonly actor: Actor,
    readonly params: ListScorecardsDto,
    readonly format: ScorecardFormat,
  ) {}
}

/**
 * The scorecard as the body to send: UTF-8 JSON (the rows serialized once per scorecard, see ScorecardReader), the
 * machine CSV, or for clerks (csv-zh, xlsx) the card with what its download states besides (county, policy).
 */
export type ScorecardBody =
  | { format: 'json'; bytes: Buffer }
  | { format: 'csv'; card: CountyScorecard }
  | { format: 'csv-zh' | 'xlsx'; card: CountyScorecard; clerk: ClerkScorecard };

@QueryHandler(ListScorecardsQuery)
export class ListScorecardsHandler implements IQueryHandler<ListScorecardsQuery, ScorecardBody> {
  constructor(private readonly scorecards: ScorecardService) {}

  async execute({ actor, params, format }: ListScorecardsQuery): Promise<ScorecardBody> {
    const countyId = this.scorecards.county(actor, params.countyId);
    const request = await this.scorecards.request(params, countyId);
    if (format === 'json') return { format, bytes: this.scorecards.reader.scorecardJson(request) };
    const card = this.scorecards.reader.scorecard(request);
    const county: CountyScorecard = {
      from: card.from,
      to: card.to,
      asOf: card.asOf,
      policyVersion: card.policyVersion,
      countyId,
      departments: card.departments,
    };
    if (format === 'csv') return { format, card: county };
    const name = this.scorecards.directory.county(countyId)?.name ?? countyId;
    return { format, card: county, clerk: clerkScorecard(county, { name, timeZone: request.timeZone }, request.policy) };
  }
}

@Controller('v1/scorecards')
export class ListScorecardsRoute {
  constructor(private readonly queries: QueryBus) {}

  /** 以下评上: the county's departments ranked; JSON, the machine CSV, or for clerks a Chinese CSV or an XLSX. */
  @Get()
  @HeavyRead('withAsOf')
  async list(@CurrentActor() actor: Actor, @Query() params: ListScorecardsDto, @Req() req: Request, @Res() res: Response): Promise<void> {
    const format = params.format ?? (req.accepts(['application/json', 'text/csv']) === 'text/csv' ? 'csv' : 'json');
    const body = await this.queries.execute<ListScorecardsQuery, ScorecardBody>(new ListScorecardsQuery(actor, params, format));
    res.vary('Accept');
    if (body.format === 'json') {
      // The bytes as they are: the most read body of the API, sent without Express re-encoding or inspecting it.
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.setHeader('Content-Length', body.bytes.length);
      res.end(body.bytes);
      return;
    }
    const card = body.card;
    res.setHeader('X-Scorecard-As-Of', card.asOf);
    res.setHeader('X-Scorecard-Policy-Version', card.policyVersion);
    if (body.format === 'csv') {
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="scorecards-${card.countyId}-${card.from}-${card.to}.csv"`);
      res.send(scorecardCsv(card));
      return;
    }
    const { ascii, utf8 } = body.clerk.fileName;
    if (body.format === 'csv-zh') {
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', attachment(`${ascii}-zh.csv`, `${utf8}.csv`));
      res.send(clerkCsv(body.clerk));
      return;
    }
    const bytes = await clerkXlsx(body.clerk);
    res.setHeader('Content-Type', XLSX_TYPE);
    res.setHeader('Content-Disposition', attachment(`${ascii}.xlsx`, `${utf8}.xlsx`));
    res.setHeader('Content-Length', bytes.length);
    res.end(bytes);
  }
}
