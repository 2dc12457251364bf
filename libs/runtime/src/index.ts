export * from './clock';
export { ConfigError } from './env';
export { ENVIRONMENTS, type Environment, type StoreConfig } from './common';
export {
  loadConfig,
  loadRebuildConfig,
  LOG_LEVELS,
  PROCESSORS,
  type AppConfig,
  type AuditSettings,
  type HttpTimeouts,
  type LogLevel,
  type Processor,
  type RateLimits,
  type RebuildConfig,
  type TrustProxy,
} from './config';
export {
  loadRelayConfig,
  loadRelayProcessConfig,
  RelayConfigError,
  type RelayConfig,
  type RelayOptions,
  type RelayProcessConfig,
} from './relay-config';
export { consoleLog, openServices, type LogFactory, type ProcessorLog, type Services } from './services';
export { processLog } from './process-log';
export { startProcessors, type RunningProcessors } from './processors';
export { PROJECTIONS, REBUILDABLE } from './read-models';
export { defaultRebuildThreads, rebuildReadModels } from './projector/rebuild';
export { ServiceMetrics, type LagSources } from './metrics/service-metrics';
export { startMetricsServer, type MetricsServer } from './metrics/metrics-server';
export { readModelLag } from './metrics/read-model-lag';
