import { Counter, Histogram } from 'prom-client';
import type { Request, Response } from 'express';
import { ServiceMetrics } from '@chuishao/runtime';

/**
 * The API's metrics: the service's (commands, appends, breaches, lag) and its HTTP series. Labels are route patterns,
 * never paths: no case id, org or user ends up in a series name.
 */
export class Metrics extends ServiceMetrics {
  private readonly httpRequests = new Counter({
    name: 'chuishao_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'],
    registers: [this.registry],
  });
  private readonly httpDuration = new Histogram({
    name: 'chuishao_http_request_duration_seconds',
    help: "Time from request to the answer's last byte, by method, route pattern and status",
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly rateLimited = new Counter({
    name: 'chuishao_rate_limit_refusals_total',
    help: 'Requests refused with 429 (rate limits), by route pattern',
    labelNames: ['route'],
    registers: [this.registry],
  });

  /** The series of one method, route pattern and status, bound once: labelling each observation anew hashed its labels every time. */
  private readonly httpSeries = new Map<string, { count: { inc(): void }; time: { observe(seconds: number): void } }>();

  private seriesOf(method: string, route: string, status: number) {
    const key = `${method} ${status} ${route}`;
    let series = this.httpSeries.get(key);
    if (!series) {
      const labels = { method, route, status: String(status) };
      series = { count: this.httpRequests.labels(labels), time: this.httpDuration.labels(labels) };
      this.httpSeries.set(key, series);
    }
    return series;
  }

  /** Counts and times an answer by its route pattern (called at the response's finish, once the router has matched it). */
  readonly answered = (req: Request, res: Response, durationMs: number): void => {
    const route = req.route?.path === undefined ? 'unmatched' : `${req.baseUrl}${req.route.path}`;
    const series = this.seriesOf(req.method, route, res.statusCode);
    series.count.inc();
    series.time.observe(durationMs / 1000);
    if (res.statusCode === 429) this.rateLimited.inc({ route });
  };
}
