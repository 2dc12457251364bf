import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

/**
 * The relay tests' own broker: scripts/kafka/kafka.sh on a port of its own. Each jest run claims a free
 * port (19392, 19394, …; or RELAY_TEST_KAFKA_PORT) in globalSetup, so two runs in one checkout (two
 * engineers, or CI and a developer) never share, stop or SIGSTOP each other's broker. The claimed port
 * reaches the test files through the environment.
 */
export const ROOT = resolve(__dirname, '../..');
const SCRIPT = join(ROOT, 'scripts/kafka/kafka.sh');
const STATE_DIR = process.env.KAFKA_STATE_DIR ?? join(ROOT, '.kafka');
const PORT_ENV = 'RELAY_TEST_KAFKA_PORT';
const FIRST_PORT = 19392;
const CANDIDATES = 20;

export function brokerPort(): number {
  const port = Number(process.env[PORT_ENV]);
  if (!Number.isInteger(port) || port <= 0) {
    throw new Error(`${PORT_ENV} is not set: run the relay tests through jest (npx jest --selectProjects relay), whose globalSetup starts their broker`);
  }
  return port;
}

export const brokers = () => [`127.0.0.1:${brokerPort()}`];

/** Runs kafka.sh; its progress goes to stderr, a failure throws with the script's output. */
export function kafkaSh(command: 'start' | 'stop' | 'status', ...args: string[]): void {
  execFileSync(SCRIPT, [command, '--port', String(brokerPort()), ...args], { stdio: ['ignore', 'inherit', 'inherit'], cwd: ROOT, timeout: 600_000 });
}

/** kafka.sh without blocking the event loop: the relay and the writer in this process keep running meanwhile. */
export function kafkaShAsync(command: 'start' | 'stop', ...args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(SCRIPT, [command, '--port', String(brokerPort()), ...args], { stdio: ['ignore', 'inherit', 'inherit'], cwd: ROOT });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kafka.sh ${command} exited with ${code}`))));
  });
}

/** Pid of the broker JVM (for SIGSTOP/SIGCONT: a broker that is alive but answers nothing). */
export function brokerPid(): number {
  const pid = Number(readFileSync(join(STATE_DIR, `run-${brokerPort()}`, 'kafka.pid'), 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no broker pid for port ${brokerPort()}`);
  return pid;
}

const claimFile = (port: number) => join(STATE_DIR, `relay-tests-${port}.claim`);

/** Claims a port pair (port, port+1) for this jest process: a claim file no live process holds, and both ports free. */
export async function claimPort(): Promise<number> {
  if (process.env[PORT_ENV]) return brokerPort();
  mkdirSync(STATE_DIR, { recursive: true });
  for (let i = 0; i < CANDIDATES; i++) {
    const port = FIRST_PORT + 2 * i;
    if (!takeClaim(port)) continue;
    if ((await isFree(port)) && (await isFree(port + 1))) {
      process.env[PORT_ENV] = String(port);
      return port;
    }
    unlinkSync(claimFile(port));
  }
  throw new Error(`no free port pair for the relay tests' broker in ${FIRST_PORT}..${FIRST_PORT + 2 * CANDIDATES}; set ${PORT_ENV}`);
}

export function releasePort(): void {
  const file = claimFile(brokerPort());
  if (existsSync(file) && readFileSync(file, 'utf8') === String(process.pid)) unlinkSync(file);
}

function takeClaim(port: number): boolean {
  const file = claimFile(port);
  try {
    writeFileSync(file, String(process.pid), { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const holder = Number(readFileSync(file, 'utf8'));
  if (alive(holder)) return false;
  unlinkSync(file); // left by a run that died; take it over
  return takeClaim(port);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
