import type { EventStore } from '@chuishao/event-store';
import { RelayCheckpointStore } from './checkpoint-store';
import type { RelayConfig } from '@chuishao/runtime';
import { startHealthServer } from './health-server';
import { KafkaRelay, type RelayStatus } from './kafka-relay';
import { consoleLogger, type RelayLogger } from './logger';

export interface RunningRelay {
  /** Stops relaying and closes the checkpoint file and the health endpoint; the store stays open. */
  stop(): Promise<void>;
  status(): RelayStatus;
  /** Port of GET /health, or null when RELAY_HEALTH_PORT is not set. */
  healthPort: number | null;
}

/**
 * Starts the relay on an open store with its configuration (loadRelayConfig, see docs/relay.md). It returns
 * at once: an unreachable broker is retried in the background (status().state = 'retrying'), never an
 * error here; only malformed configuration throws. Call stop() before closing the store.
 */
export async function startRelay(store: EventStore, config: RelayConfig, logger: RelayLogger = consoleLogger): Promise<RunningRelay> {
  const checkpoints = RelayCheckpointStore.open(config.checkpointFile);
  const relay = new KafkaRelay(store, checkpoints, config.kafka, config.relay, logger);
  let health: Awaited<ReturnType<typeof startHealthServer>> | null = null;
  try {
    if (config.healthPort !== null) health = await startHealthServer(config.healthPort, () => relay.status());
  } catch (error) {
    checkpoints.close();
    throw error;
  }
  relay.start();
  return {
    healthPort: health?.port ?? null,
    status: () => relay.status(),
    async stop() {
      await relay.stop();
      await health?.close();
      checkpoints.close();
    },
  };
}
