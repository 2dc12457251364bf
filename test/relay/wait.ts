/**
 * Waits for a condition the system under test must reach. The deadline only turns a hang into a
 * failure that says what was awaited; nothing asserts on how long it took.
 */
export async function waitFor<T>(what: string, probe: () => T | Promise<T>, deadlineMs = 60_000, everyMs = 50): Promise<NonNullable<T>> {
  const end = Date.now() + deadlineMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > end)
      throw new Error(`gave up waiting for ${what} after ${deadlineMs} ms (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await sleep(everyMs);
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
