import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Logger, type INestApplication } from '@nestjs/common';
import type { AppConfig } from '@chuishao/runtime';
import type { NextFunction, Request, Response } from 'express';
import { static as serveStatic } from 'express';
import helmet from 'helmet';

/**
 * Where `npm run build:console` (Vite) writes the web console: dist/console at the project root, found from this
 * file both as TypeScript (apps/api/src/console, under jest) and as the build (dist/apps/api/src/console).
 */
export function consoleDir(): string | null {
  const candidates = [resolve(__dirname, '../../../../dist/console'), resolve(__dirname, '../../../../console')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? null;
}

/** Paths the API and its reference own: never answered with the console. */
const API_PATHS = /^\/(v1|docs)(\/|$)/;
/** Vite names every asset by its content hash: a new build is a new name, so a year in any cache is safe. */
const HASHED = /^\/assets\//;

/**
 * Serves the web console at `/`: its files, and index.html for every other page a browser asks for (Accept: text/html)
 * outside /v1 and /docs (the console routes in the browser). Added after helmet; the console's own Content-Security-Policy allows its bundle (scripts
 * and styles from this origin only, no inline script; Ant Design's runtime styles need inline style attributes and
 * elements) and, when OIDC is configured, requests to the identity provider.
 */
export function serveConsole(app: INestApplication, config: AppConfig): void {
  const dir = consoleDir();
  if (!dir) {
    new Logger('console').warn('the web console is not built (npm run build:console): GET / is not served');
    return;
  }
  const issuer = config.oidc ? new URL(config.oidc.issuer).origin : null;
  const csp = helmet.contentSecurityPolicy({
    useDefaults: true,
    directives: {
      'script-src': ["'self'"],
      'style-src': ["'self'", "'unsafe-inline'"],
      'font-src': ["'self'", 'data:'],
      'img-src': ["'self'", 'data:', 'blob:'],
      'connect-src': ["'self'", ...(issuer ? [issuer] : [])],
      'frame-src': issuer ? [issuer] : ["'none'"],
      'worker-src': ["'self'", 'blob:'],
      // County intranets often serve plain http://<host>:3000: upgrading the bundle's requests to https would break it.
      'upgrade-insecure-requests': null,
    },
  });
  const files = serveStatic(dir, {
    index: false,
    fallthrough: true,
    setHeaders(res, path) {
      res.setHeader('Cache-Control', HASHED.test(path.slice(dir.length)) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  const index = join(dir, 'index.html');
  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || API_PATHS.test(req.path)) return next();
    csp(req, res, () => {
      files(req, res, () => {
        // A missing hashed asset is a 404 (an old page asking for a file of a build that is gone), not the page; so is
        // any request that is not a browser's page navigation (API clients keep their problem+json 404).
        if (HASHED.test(req.path) || !(req.headers.accept ?? '').includes('text/html')) return next();
        res.setHeader('Cache-Control', 'no-cache');
        res.sendFile(index);
      });
    });
  });
}
