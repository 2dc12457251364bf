import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const API = resolve(__dirname, '..');

describe('rate-limit budgets', () => {
  // RateLimitGuard reads every budget from the configuration and skips the library's per-route overrides: a route
  // decorated with @Throttle or @SkipThrottle would be silently unaffected, so none may be.
  it('no route overrides a budget with @Throttle or @SkipThrottle', () => {
    const files = readdirSync(API, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'));
    expect(files.length).toBeGreaterThan(20);
    const offending = files.filter((f) => /^\s*@(Skip)?Throttle\(/m.test(readFileSync(join(API, f), 'utf8')));
    expect(offending).toEqual([]);
  });
});
