import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CommandObservation } from '@chuishao/commands';

/** The deadline watcher's rungs, by the event that records each breach. */
const BREACHES: Record<string, string> = {
  DeadlineReminderSent: 'reminder',
  ResponseOverdue: 'response_overdue',
  CompletionOverdue: 'completion_overdue',
  CaseEscalated: 'escalated',
};

/** Measured at scrape time: how far each read model and the relay are behind the store. */
export interface LagSources {
  /** Store positions each projection has not applied yet (absent: the process reads no read model). */
  readModels?: () => Promise<Record<string, number>>;
  /** Events the in-process relay has not had acknowledged yet (absent: no relay runs in this process; null: not started yet). */
  relay?: () => { events: number; seconds: number } | null;
}

/**
 * A process's Prometheus metrics, in a registry of its own (one per running service, so tests can start several):
 * commands, appends, the watcher's breaches, the lag of what runs in the process, and Node's process metrics. The API
 * adds its HTTP series; the watcher and the relay as their own processes serve these on METRICS_PORT.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly commands = new Counter({
    name: 'chuishao_commands_total',
    help: 'Commands through the command path, by type and outcome (appended, replayed, unchanged or the refusal code)',
    labelNames: ['type', 'outcome'],
    registers: [this.registry],
  });
  private readonly appendDuration = new Histogram({
    name: 'chuishao_event_store_append_duration_seconds',
    help: "Time of the event store's append for a command (fsync included)",
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });
  private readonly breaches = new Counter({
    name: 'chuishao_watcher_breaches_total',
    help: 'Deadline breaches the watcher recorded in this process, by rung',
    labelNames: ['rung'],
    registers: [this.registry],
  });

  constructor(lag: LagSources = {}) {
    collectDefaultMetrics({ register: this.registry });
    const readModels = lag.readModels;
    if (readModels) {
      new Gauge({
        name: 'chuishao_read_model_lag_positions',
        help: 'Store positions not yet applied, by projection (measured when scraped)',
        labelNames: ['projection'],
        registers: [this.registry],
        async collect() {
          this.reset();
          for (const [projection, behind] of Object.entries(await readModels())) this.set({ projection }, behind);
        },
      });
    }
    const relay = lag.relay;
    if (relay) {
      new Gauge({
        name: 'chuishao_relay_lag_events',
        help: 'Events the Kafka relay has not had acknowledged yet',
        registers: [this.registry],
        collect() {
          this.set(relay()?.events ?? 0);
        },
      });
      new Gauge({
        name: 'chuishao_relay_lag_seconds',
        help: 'Age of the oldest event the Kafka relay has not had acknowledged yet',
        registers: [this.registry],
        collect() {
          this.set(relay()?.seconds ?? 0);
        },
      });
    }
    // Zero series for what has not happened yet, so a dashboard's rate() has a start.
    for (const rung of Object.values(BREACHES)) this.breaches.inc({ rung }, 0);
  }

  /** The command path's observer. */
  /** Each command type and outcome's counter, bound once (labelling every increment anew hashed its labels). */
  private readonly commandSeries = new Map<string, { inc(): void }>();

  readonly command = (o: CommandObservation): void => {
    const key = `${o.type} ${o.outcome}`;
    let series = this.commandSeries.get(key);
    if (!series) {
      series = this.commands.labels({ type: o.type, outcome: o.outcome });
      this.commandSeries.set(key, series);
    }
    series.inc();
    if (o.appendSeconds !== null) this.appendDuration.observe(o.appendSeconds);
    for (const event of o.events) {
      const rung = BREACHES[event];
      if (rung) this.breaches.inc({ rung });
    }
  };

  /** The text exposition format. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }
}
