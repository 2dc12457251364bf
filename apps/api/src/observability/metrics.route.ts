import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { AppConfig } from '@chuishao/runtime';
import { Public } from '../auth/public';
import { Problem } from '../http/problem';
import { CONFIG, METRICS } from '../tokens';
import type { Metrics } from './metrics';
import { isOperator } from './operator';

/** Prometheus metrics on the API's port: open in development, behind OPERATOR_TOKEN in production. */
@Controller('metrics')
export class MetricsRoute {
  constructor(
    @Inject(METRICS) private readonly metrics: Metrics,
    @Inject(CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Get()
  async scrape(@Req() req: Request, @Res() res: Response) {
    if (this.config.production && !isOperator(this.config, req)) throw Problem.unauthenticated('send Authorization: Bearer <OPERATOR_TOKEN>');
    res.setHeader('Cache-Control', 'no-store');
    res.type(this.metrics.registry.contentType).send(await this.metrics.scrape());
  }
}

/** Whether /metrics is served on the API's port: not when it has a port of its own, nor in production without a token. */
export const metricsOnApiPort = (config: AppConfig) => config.metricsPort === null && (!config.production || config.operatorToken !== null);
