import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEventStore } from '@chuishao/event-store';
import { CaseTraffic } from '@chuishao/histories';
import { appendGenerated } from '../fixtures/append-generated';
import { fileCheckpoint, relayEnv, tempDir } from '../../../test/relay/harness';
import { assertRelayBuilt, RelayProcess } from '../../../test/relay/relay-process';
import { waitFor } from '../../../test/relay/wait';
import { freePort } from '../../api/test/server-process';

jest.setTimeout(120_000);

/** The relay as its own process (docker-compose): JSON log lines and its lag on METRICS_PORT, against a real broker. */
describe('relay process: JSON logs and Prometheus metrics', () => {
  const dir = tempDir('observability');
  const store = new SqliteEventStore({ file: join(dir, 'events.sqlite'), synchronous: 'NORMAL' });
  let relay: RelayProcess | null = null;
  afterAll(async () => {
    relay?.kill('SIGKILL');
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes its lines as JSON and serves its lag (0 once caught up) on METRICS_PORT', async () => {
    assertRelayBuilt();
    await appendGenerated(store, new CaseTraffic({ seed: 7, openCases: 50 }), 300);
    const head = (await store.headPosition())!;
    const port = await freePort();
    relay = new RelayProcess(relayEnv(dir, { RELAY_HEALTH_PORT: '0', METRICS_PORT: String(port), LOG_FORMAT: 'json' }), join(dir, 'relay.log'));
    await waitFor('the relay to reach the store head', () => fileCheckpoint(dir) === head, 60_000, 50);
    await waitFor('its metrics', () => relay!.log().includes(`metrics on :${port}/metrics`), 10_000, 50);
    const scrape = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    // The lag is read from the relay's status when scraped: caught up, nothing is left to send.
    await waitFor('the scraped lag to read 0', async () => /^chuishao_relay_lag_events 0$/m.test(await scrape()), 10_000, 100);
    const fresh = await scrape();
    expect(/^chuishao_relay_lag_seconds \S+$/m.test(fresh)).toBe(true);
    expect(fresh).toContain('process_cpu_seconds_total');

    relay.kill('SIGTERM');
    expect(await relay.exited).toBe(0);
    const lines = relay
      .log()
      .split('\n')
      .filter((l) => l !== '');
    relay = null;
    const records = lines.map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`not a JSON line: ${line}`);
      }
    });
    expect(records.find((r) => String(r.msg).startsWith('health on'))).toMatchObject({ level: 'info', service: 'chuishao-relay', context: 'relay' });
    expect(records.some((r) => r.msg === 'SIGTERM: stopping')).toBe(true);
  });
});
