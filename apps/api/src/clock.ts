/** The only source of time: injected so tests and simulated demos control it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
