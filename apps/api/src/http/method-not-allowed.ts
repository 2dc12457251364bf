import type { OpenAPIObject } from '@nestjs/swagger';
import { Problem } from './problem';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/**
 * A request to a path the API serves, with a method it does not serve there, answers 405 with `Allow` (RFC 9110)
 * rather than 404. The routes are the OpenAPI document's, which a test keeps equal to the routes served. Consulted
 * only when the router matched nothing (the problem filter's 404), so a served request never scans the table.
 */
export class RouteMethods {
  private readonly routes: { pattern: RegExp; allow: string[] }[] = [];

  learn(doc: OpenAPIObject): void {
    for (const [path, item] of Object.entries(doc.paths)) {
      const allow = METHODS.filter((m) => (item as Record<string, unknown>)[m]).map((m) => m.toUpperCase());
      if (allow.includes('GET')) allow.push('HEAD');
      const pattern = new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}/?$`, 'i');
      this.routes.push({ pattern, allow });
    }
  }

  /** The 405 for a request no route matched, when its path is served with other methods; null otherwise. */
  notAllowed(method: string, path: string): Problem | null {
    if (method === 'OPTIONS') return null;
    const route = this.routes.find((r) => r.pattern.test(path));
    if (!route || route.allow.includes(method)) return null;
    return new Problem(
      405,
      'ROUTE.METHOD_NOT_ALLOWED',
      'Method not allowed',
      `${method} is not served at ${path}; it serves ${route.allow.join(', ')}`,
      undefined,
      {
        Allow: route.allow.join(', '),
      },
    );
  }
}
