import { useCallback, useEffect, useRef, useState } from 'react';

/**
 * Loads now and again every `everyMs` while the page is open (the inbox is a read model; new assignments appear
 * within one interval without a reload). `reload(position)` after the user's own command passes the command's
 * store position, so the next read waits for the read model to include it (minPosition).
 */
export function usePoll<T>(load: (minPosition?: number) => Promise<T>, deps: unknown[], everyMs = 3000) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const loader = useRef(load);
  loader.current = load;
  const run = useCallback(async (minPosition?: number) => {
    try {
      setData(await loader.current(minPosition));
      setError(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }, []);
  useEffect(() => {
    void run();
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void run();
    }, everyMs);
    return () => clearInterval(timer);
    // biome-ignore lint/correctness/useExhaustiveDependencies: the caller names what re-polls (deps); run changes every render
  }, deps);
  return { data, error, reload: run };
}
