/** The Kafka relay: every event to its county's topic as a CloudEvents message, checkpointed (docs/relay.md). */
export { KafkaRelay, type RelayState, type RelayStatus } from './kafka-relay';
export { relayKafka, relayProducer } from './kafka-publisher';
export { RelayCheckpointStore } from './checkpoint-store';
export { startRelay, type RunningRelay } from './start-relay';
export { startHealthServer } from './health-server';
export { consoleLogger, messageOf, type RelayLogger } from './logger';
export * from './envelope';
