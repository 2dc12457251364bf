import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './broker';

const MAIN = join(ROOT, 'dist/apps/relay/src/main.js');

/**
 * The fault tests kill the relay as it runs in production: the compiled app in its own process. They
 * need `npm run build` first (npm test runs it); a missing or stale build fails loudly here rather than
 * testing old code.
 */
export function assertRelayBuilt(): void {
  const stale: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, name.name);
      if (name.isDirectory()) walk(path);
      else if (name.name.endsWith('.ts') && !name.name.endsWith('.spec.ts')) {
        const built = join(ROOT, 'dist', relative(ROOT, path)).replace(/\.ts$/, '.js');
        if (!existsSync(built) || statSync(built).mtimeMs < statSync(path).mtimeMs) stale.push(relative(ROOT, path));
      }
    }
  };
  for (const dir of ['apps/relay/src', 'libs/relay/src']) walk(join(ROOT, dir));
  if (!existsSync(MAIN) || stale.length > 0) {
    throw new Error(`the compiled relay (${relative(ROOT, MAIN)}) is missing or older than ${stale.join(', ') || 'its sources'}: run \`npm run build\` first`);
  }
}

/** One relay process: `node -r ./scripts/register-paths.js dist/apps/relay/src/main.js`, output to a log file. */
export class RelayProcess {
  readonly exited: Promise<number | string | null>;
  private readonly child: ChildProcess;

  constructor(
    env: NodeJS.ProcessEnv,
    readonly logFile: string,
  ) {
    const out = openSync(logFile, 'a');
    this.child = spawn(
      process.execPath,
      ['--disable-warning=TimeoutNegativeWarning', '--disable-warning=ExperimentalWarning', '-r', './scripts/register-paths.js', MAIN],
      {
        cwd: ROOT,
        env: { ...process.env, ...env },
        stdio: ['ignore', out, out],
      },
    );
    closeSync(out);
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve(signal ?? code)));
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  log(): string {
    return readFileSync(this.logFile, 'utf8');
  }

  /** The relay's GET /health, once the process has said where it listens (RELAY_HEALTH_PORT=0 picks a free port). */
  async health(): Promise<{ checkpoint: number | null; sending: { from: number; to: number } | null } | null> {
    const port = /health on :(\d+)\/health/.exec(this.log())?.[1];
    if (!port) return null;
    try {
      return (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as never;
    } catch {
      return null; // not listening yet, or just killed
    }
  }
}

/** Checkpoints a relay run restarted a round from after a failure (from its log): re-sending began after them too. */
export function failedRoundCheckpoints(logFile: string): number[] {
  const text = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
  return [...text.matchAll(/round failed .*? nothing after checkpoint (\d+|start) is considered sent/g)].map((m) => (m[1] === 'start' ? 0 : Number(m[1])));
}
