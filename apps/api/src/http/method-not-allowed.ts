import type { NextFunction, Request, Response } from 'express';
import type { OpenAPIObject } from '@nestjs/swagger';
import { Problem } from './problem';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/**
 * A request to a path the API serves, with a method it does not serve there, answers 405 with `Allow` (RFC 9110)
 * rather than 404. The routes are the OpenAPI document's, which a test keeps equal to the routes served.
 */
export function methodNotAllowed(): { middleware: (req: Request, res: Response, next: NextFunction) => void; learn(doc: OpenAPIObject): void } {
  const routes: { pattern: RegExp; allow: string[] }[] = [];
  return {
    learn(doc) {
      for (const [path, item] of Object.entries(doc.paths)) {
        const allow = METHODS.filter((m) => (item as Record<string, unknown>)[m]).map((m) => m.toUpperCase());
        if (allow.includes('GET')) allow.push('HEAD');
        const pattern = new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}/?$`);
        routes.push({ pattern, allow });
      }
    },
    middleware(req, _res, next) {
      const route = routes.find((r) => r.pattern.test(req.path));
      if (!route || route.allow.includes(req.method) || req.method === 'OPTIONS') return next();
      next(
        new Problem(
          405,
          'ROUTE.METHOD_NOT_ALLOWED',
          'Method not allowed',
          `${req.method} is not served at ${req.path}; it serves ${route.allow.join(', ')}`,
          undefined,
          {
            Allow: route.allow.join(', '),
          },
        ),
      );
    },
  };
}
