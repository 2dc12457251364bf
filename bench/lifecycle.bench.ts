/**
 * Whistle lifecycles over HTTP on the embedded store, against raw appends of the same events to the
 * same kind of store, in the same run. Run on demand: `npm run bench:lifecycle` (never a test).
 * Env: BENCH_SECONDS (default 20), BENCH_CONCURRENCY (default 32), STORE_SYNCHRONOUS (default FULL).
 * Each client drives its own keep-alive connection (bench/lib/keep-alive-client.ts: the load generator shares the
 * cores with the server, so it should cost as little as it can). Prints throughput and latency, CPU time per append / per command (server threads and load generator
 * separately: on a shared machine these move far less than throughput), peak RSS and the load average.
 */
import { UNREACHED_LIMITS } from './lib/limits';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { caseStream } from '@chuishao/domain';
import { SqliteEventStore } from '@chuishao/event-store';
import { KeepAliveConnection, type Reply } from './lib/keep-alive-client';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const SYNCHRONOUS = (process.env.STORE_SYNCHRONOUS ?? 'FULL') as 'FULL' | 'NORMAL' | 'OFF';
const PORT = Number(process.env.BENCH_PORT ?? 39117);
const ROOT = resolve(__dirname, '../..');

const JSON_HEADERS = { 'Content-Type': 'application/json' };
function call(connection: KeepAliveConnection, path: string, token: string | null, body?: object): Promise<Reply> {
  const headers = token ? { ...JSON_HEADERS, Authorization: `Bearer ${token}` } : JSON_HEADERS;
  return connection.request(body ? 'POST' : 'GET', path, headers, body ? JSON.stringify(body) : undefined);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** The machine is shared: each result is read against the load it ran under. */
function loadAverage(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');
}

/**
 * CPU seconds per thread name of a process (Linux /proc). Throughput moves with whatever else the shared
 * machine runs; CPU time per command is what the server's own cost is, and changes far less with load.
 */
function threadCpuSeconds(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const [utime, stime] = stat
        .slice(stat.lastIndexOf(')') + 2)
        .split(' ')
        .slice(11, 13)
        .map(Number);
      byName.set(name, (byName.get(name) ?? 0) + (utime + stime) / 100);
    } catch {
      // The thread ended between listing and reading.
    }
  }
  return byName;
}

function cpuPerCommand(before: Map<string, number>, after: Map<string, number>, commands: number): string {
  const ms = (name: string) => (1000 * ((after.get(name) ?? 0) - (before.get(name) ?? 0))) / commands;
  const total = [...after.keys()].reduce((sum, name) => sum + ms(name), 0);
  const threads = [...after.keys()]
    .map((name) => [name, ms(name)] as const)
    .filter(([, v]) => v >= 0.005)
    .sort((a, b) => b[1] - a[1]);
  return `${total.toFixed(3)} ms (${threads.map(([name, v]) => `${name} ${v.toFixed(3)}`).join(', ')})`;
}

function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

async function benchApi(dataDir: string) {
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const server = spawn(
    process.execPath,
    [...profile, '--disable-warning=ExperimentalWarning', '-r', join(ROOT, 'scripts/register-paths.js'), join(ROOT, 'dist/apps/api/src/main.js')],
    {
      env: { ...UNREACHED_LIMITS, ...process.env, PORT: String(PORT), DATA_DIR: dataDir, STORE_SYNCHRONOUS: SYNCHRONOUS },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const exited = new Promise((r) => server.once('exit', r));
  // Whatever happens, the server goes down with the bench: an orphan would hold the port for the next run.
  try {
    return await driveLifecycles(server.pid!, () => server.exitCode !== null);
  } finally {
    server.kill('SIGTERM');
    await exited;
  }
}

async function connectWhenUp(serverExited: () => boolean): Promise<KeepAliveConnection> {
  for (let i = 0; ; i++) {
    const connection = new KeepAliveConnection(PORT);
    try {
      if ((await call(connection, '/v1/orgs', null)).status === 200) return connection;
    } catch {
      connection.close();
      if (i > 300 || serverExited()) throw new Error('server did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function driveLifecycles(serverPid: number, serverExited: () => boolean) {
  const setup = await connectWhenUp(serverExited);
  const token = async (orgId: string) => JSON.parse((await call(setup, '/v1/dev/tokens', null, { orgId })).text).token as string;
  const twp = await token('twp-dongba');
  const dept = await token('dept-ecology');
  setup.close();
  const latencies: number[] = [];
  let commands = 0;
  let failures = 0;
  const timed = async (connection: KeepAliveConnection, path: string, t: string, body: object) => {
    const start = process.hrtime.bigint();
    const r = await call(connection, path, t, body);
    latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (r.status >= 300) failures++;
    else commands++;
    return r;
  };
  const end = Date.now() + SECONDS * 1000;
  const client = async () => {
    const connection = new KeepAliveConnection(PORT);
    while (Date.now() < end) {
      const blown = await timed(connection, '/v1/whistles', twp, {
        title: '道路塌陷',
        description: '村道K3+200处路面塌陷',
        category: 'resident_request',
        departmentIds: ['dept-ecology'],
        location: { address: '东坝镇村道K3' },
      });
      const { caseId } = JSON.parse(blown.text);
      await timed(connection, `/v1/cases/${caseId}/responses`, dept, {});
      await timed(connection, `/v1/cases/${caseId}/completions`, dept, { result: '已修复' });
      await timed(connection, `/v1/cases/${caseId}/reviews`, twp, { departmentId: 'dept-ecology', resolved: true, satisfaction: 'satisfied' });
    }
    connection.close();
  };
  const started = Date.now();
  const serverCpu = threadCpuSeconds(serverPid);
  const clientCpu = process.cpuUsage();
  await Promise.all(Array.from({ length: CONCURRENCY }, client));
  const elapsed = (Date.now() - started) / 1000;
  const clientUsage = process.cpuUsage(clientCpu);
  const serverCpuPerCommand = cpuPerCommand(serverCpu, threadCpuSeconds(serverPid), commands);
  const clientCpuPerCommand = (clientUsage.user + clientUsage.system) / 1000 / commands;
  const rss = peakRssMiB(serverPid);
  latencies.sort((a, b) => a - b);
  return {
    commands,
    failures,
    perSecond: commands / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    peakRssMiB: rss,
    serverCpuPerCommand,
    clientCpuPerCommand,
  };
}

/** The same five events per lifecycle (4 appends), straight into the adapter, same concurrency. */
async function benchRaw(dataDir: string) {
  const store = new SqliteEventStore({ file: join(dataDir, 'raw.sqlite'), synchronous: SYNCHRONOUS });
  const meta = { actor: { orgId: 'twp-dongba', role: 'township', userId: 'bench' }, correlationId: 'c', causationId: 'c', schemaVersion: 1 };
  const ev = (type: string, data: object) => ({ id: randomUUID(), type, data: { ...data, occurredAt: new Date().toISOString() }, metadata: meta });
  const latencies: number[] = [];
  let appends = 0;
  const end = Date.now() + SECONDS * 1000;
  const timed = async (stream: string, events: ReturnType<typeof ev>[], expected: number | 'no_stream') => {
    const start = process.hrtime.bigint();
    await store.append(stream, events, { expectedRevision: expected });
    latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
    appends++;
  };
  const client = async () => {
    while (Date.now() < end) {
      const s = caseStream(randomUUID());
      await timed(s, [ev('WhistleBlown', { title: '道路塌陷', parts: [{ partId: 'p1', departmentId: 'dept-ecology' }] })], 'no_stream');
      await timed(s, [ev('DepartmentResponded', { partId: 'p1' })], 0);
      await timed(s, [ev('HandlingCompleted', { partId: 'p1', round: 1, result: '已修复' })], 1);
      await timed(s, [ev('ReviewCompleted', { partId: 'p1', resolved: true }), ev('PartClosed', { partId: 'p1' }), ev('CaseClosed', {})], 2);
    }
  };
  const started = Date.now();
  const cpu = process.cpuUsage();
  await Promise.all(Array.from({ length: CONCURRENCY }, client));
  const elapsed = (Date.now() - started) / 1000;
  const usage = process.cpuUsage(cpu);
  await store.close();
  latencies.sort((a, b) => a - b);
  // This process's CPU, writer thread included: what one append costs, next to what one command costs the server.
  const cpuPerAppend = (usage.user + usage.system) / 1000 / appends;
  return { appends, perSecond: appends / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), cpuPerAppend };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'chuishao-bench-'));
  try {
    console.log(
      `machine: ${cpus().length} × ${cpus()[0]?.model}, ${Math.round(totalmem() / 2 ** 30)} GiB; node ${process.version}; ` +
        `synchronous=${SYNCHRONOUS}; ${SECONDS}s × ${CONCURRENCY} clients; data in ${dir}`,
    );
    console.log(`load average at start: ${loadAverage()}`);
    const raw = await benchRaw(dir);
    console.log(
      `raw appends: ${raw.perSecond.toFixed(0)}/s, p50 ${raw.p50.toFixed(2)} ms, p99 ${raw.p99.toFixed(2)} ms (${raw.appends} appends), ` +
        `CPU ${raw.cpuPerAppend.toFixed(3)} ms per append`,
    );
    const api = await benchApi(join(dir, 'api'));
    console.log(
      `API commands: ${api.perSecond.toFixed(0)}/s, p50 ${api.p50.toFixed(2)} ms, p99 ${api.p99.toFixed(2)} ms, ` +
        `server peak RSS ${api.peakRssMiB} MiB (${api.commands} ok, ${api.failures} failed)`,
    );
    console.log(`CPU per command: server ${api.serverCpuPerCommand}; load generator ${api.clientCpuPerCommand.toFixed(3)} ms`);
    console.log(`API / raw: ${((100 * api.perSecond) / raw.perSecond).toFixed(1)}%`);
    console.log(`load average at end: ${loadAverage()}`);
    if (api.failures > 0) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
