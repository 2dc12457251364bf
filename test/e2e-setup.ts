// After each e2e file: no spawned server outlives it, whether its tests passed, failed or timed out.
import { killAllServers } from '../apps/api/test/server-process';

afterAll(killAllServers, 30_000);
