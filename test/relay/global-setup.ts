import { claimPort, kafkaSh, releasePort } from './broker';

/**
 * Starts the real broker before any relay test. If it cannot start, this throws and jest fails the
 * whole relay project: the tests never skip or fall back to a fake.
 */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const port = await claimPort();
  try {
    kafkaSh('start');
  } catch (error) {
    releasePort();
    throw new Error(
      `the relay tests need a real Kafka broker on port ${port} and scripts/kafka/kafka.sh could not start it ` +
        `(see its output above; Java 17+ and Maven must be on PATH): ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  process.stderr.write(`[relay tests] Kafka broker on 127.0.0.1:${port} ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
