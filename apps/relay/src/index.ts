export { KafkaRelay, type RelayState, type RelayStatus } from './kafka-relay';
export { RelayCheckpointStore } from './checkpoint-store';
export { loadRelayConfig, RelayConfigError, type RelayConfig, type RelayOptions } from '@chuishao/runtime';
export { startRelay, type RunningRelay } from './start-relay';
export { startHealthServer } from './health-server';
export { consoleLogger, type RelayLogger } from './logger';
export * from './envelope';
