import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** The only source of time: injected so tests and simulated demos control it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/**
 * Demo and acceptance clock (dev mode, CLOCK=simulated): real time plus an offset that only grows.
 * The offset is kept in DATA_DIR so a restart resumes at the simulated time, never before it.
 */
export class SimulatedClock implements Clock {
  private offsetMs: number;
  private readonly listeners: (() => void)[] = [];

  constructor(private readonly dataDir: string) {
    const file = this.file();
    this.offsetMs = existsSync(file) ? Number(JSON.parse(readFileSync(file, 'utf8')).offsetMs) || 0 : 0;
  }

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(minutes: number): Date {
    this.offsetMs += minutes * 60_000;
    this.persist();
    for (const listener of this.listeners) listener();
    return this.now();
  }

  /** Called after every advance: processors that wait on time look again at once. */
  onAdvance(listener: () => void): void {
    this.listeners.push(listener);
  }

  private file(): string {
    return join(this.dataDir, 'simulated-clock.json');
  }

  /** Write-then-rename with fsync: an advance that was answered survives a crash. */
  private persist(): void {
    const tmp = `${this.file()}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify({ offsetMs: this.offsetMs }));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file());
  }
}

/** A clock a test moves by hand; every event the server stamps comes from it. */
export class TestClock implements Clock {
  constructor(private current = Date.parse('2026-03-02T01:00:00.000Z')) {}
  now() {
    return new Date(this.current);
  }
  advance(minutes: number) {
    this.current += minutes * 60_000;
  }
}
