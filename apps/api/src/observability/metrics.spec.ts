import { Metrics } from './metrics';

const sample = async (metrics: Metrics, series: string) => {
  const line = (await metrics.scrape()).split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('Metrics', () => {
  it('reports the lag sources when scraped: per projection, and the in-process relay', async () => {
    let lag = { 'case-inbox': 3, 'scoring-parts': 0 };
    let relay: { events: number; seconds: number } | null = null;
    const metrics = new Metrics({ readModels: async () => lag, relay: () => relay });
    expect(await sample(metrics, 'chuishao_read_model_lag_positions{projection="case-inbox"}')).toBe(3);
    // Before the relay started: 0.
    expect(await sample(metrics, 'chuishao_relay_lag_events')).toBe(0);
    relay = { events: 42, seconds: 1.5 };
    lag = { 'case-inbox': 0, 'scoring-parts': 7 };
    expect(await sample(metrics, 'chuishao_relay_lag_events')).toBe(42);
    expect(await sample(metrics, 'chuishao_relay_lag_seconds')).toBe(1.5);
    expect(await sample(metrics, 'chuishao_read_model_lag_positions{projection="scoring-parts"}')).toBe(7);
    expect(await sample(metrics, 'chuishao_read_model_lag_positions{projection="case-inbox"}')).toBe(0);
  });

  it('has no relay series where no relay runs', async () => {
    const metrics = new Metrics({ readModels: async () => ({}) });
    expect(await metrics.scrape()).not.toContain('chuishao_relay_lag');
  });

  it("counts commands by type and outcome, their appends, and the watcher's breaches by rung", async () => {
    const metrics = new Metrics({ readModels: async () => ({}) });
    expect(await sample(metrics, 'chuishao_watcher_breaches_total{rung="escalated"}')).toBe(0);
    metrics.command({ type: 'CheckDeadlines', outcome: 'appended', events: ['CompletionOverdue', 'CaseEscalated', 'CaseEscalated'], appendSeconds: 0.002 });
    metrics.command({ type: 'RespondToCase', outcome: 'CASE.INVALID_STATE', events: [], appendSeconds: null });
    expect(await sample(metrics, 'chuishao_watcher_breaches_total{rung="escalated"}')).toBe(2);
    expect(await sample(metrics, 'chuishao_watcher_breaches_total{rung="completion_overdue"}')).toBe(1);
    expect(await sample(metrics, 'chuishao_watcher_breaches_total{rung="response_overdue"}')).toBe(0);
    expect(await sample(metrics, 'chuishao_commands_total{type="RespondToCase",outcome="CASE.INVALID_STATE"}')).toBe(1);
    expect(await sample(metrics, 'chuishao_event_store_append_duration_seconds_count')).toBe(1);
    expect(await sample(metrics, 'chuishao_event_store_append_duration_seconds_bucket{le="0.0025"}')).toBe(1);
    expect(await sample(metrics, 'chuishao_event_store_append_duration_seconds_bucket{le="0.001"}')).toBe(0);
  });
});
