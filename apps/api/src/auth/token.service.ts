import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRemoteJWKSet, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Actor } from '@chuishao/domain';
import type { Directory } from '@chuishao/directory';
import type { AppConfig } from '@chuishao/runtime';
import { Problem } from '../http/problem';

const DEV_ISSUER = 'chuishao-dev';
const MAX_CACHED_TOKENS = 10_000;

/**
 * Bearer JWTs carrying the org (`org`), its role (`role`) and the user (`sub`). Dev mode signs its
 * own tokens with a secret kept in DATA_DIR; production verifies with JWT_SECRET or a JWKS URL and
 * never accepts a token minted by the dev endpoint.
 */
export class TokenService {
  private readonly secret: Uint8Array | null;
  private readonly jwks: JWTVerifyGetKey | null;
  private readonly verified = new Map<string, { actor: Actor; expiresAt: number }>();

  constructor(private readonly config: AppConfig, private readonly directory: Directory) {
    this.jwks = config.auth.jwksUrl ? createRemoteJWKSet(new URL(config.auth.jwksUrl)) : null;
    const secret = config.auth.jwtSecret ?? (config.production ? null : devSecret(config.dataDir));
    this.secret = secret ? new TextEncoder().encode(secret) : null;
  }

  get devTokensEnabled(): boolean {
    return !this.config.production;
  }

  async issueDevToken(orgId: string, userId: string): Promise<string> {
    const org = this.directory.get(orgId);
    if (!this.devTokensEnabled || !this.secret) throw Problem.notFound('no route POST /v1/dev/tokens', 'ROUTE.NOT_FOUND');
    if (!org) throw Problem.badRequest(`unknown org ${orgId}`, [{ field: 'orgId', message: 'not an org of the directory' }]);
    return new SignJWT({ org: org.id, role: org.type, county: org.countyId, dev: true })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(userId)
      .setIssuer(this.config.auth.issuer ?? DEV_ISSUER)
      .setIssuedAt()
      .setExpirationTime('12h')
      .sign(this.secret);
  }

  /** The actor a bearer token speaks for, checked against the directory; 401 otherwise. */
  async verify(token: string): Promise<Actor> {
    // A token verified once stays valid until it expires: skip the signature check on every request.
    const cached = this.verified.get(token);
    if (cached && cached.expiresAt > Date.now()) return cached.actor;
    const { actor, expiresAt } = await this.verifyUncached(token);
    if (this.verified.size >= MAX_CACHED_TOKENS) this.verified.clear();
    this.verified.set(token, { actor, expiresAt });
    return actor;
  }

  private async verifyUncached(token: string): Promise<{ actor: Actor; expiresAt: number }> {
    let payload: JWTPayload;
    try {
      const options = { issuer: this.config.auth.issuer ?? (this.config.production ? undefined : DEV_ISSUER), audience: this.config.auth.audience ?? undefined };
      payload = this.jwks
        ? (await jwtVerify(token, this.jwks, options)).payload
        : (await jwtVerify(token, this.secret!, { ...options, algorithms: ['HS256'] })).payload;
    } catch {
      throw Problem.unauthenticated('the bearer token is invalid or expired');
    }
    if (this.config.production && payload.dev === true) throw Problem.unauthenticated('development tokens are not accepted in production');
    const orgId = typeof payload.org === 'string' ? payload.org : '';
    const org = this.directory.get(orgId);
    if (!org || !payload.sub) throw Problem.unauthenticated('the token names no known org or user');
    if (payload.role !== undefined && payload.role !== org.type) throw Problem.unauthenticated('the token role does not match the org');
    // Without an expiry claim, re-verify after a minute rather than trusting the token forever.
    const expiresAt = Math.min(payload.exp ? payload.exp * 1000 : Infinity, Date.now() + 60_000);
    return { actor: { orgId: org.id, role: org.type, userId: payload.sub, countyId: org.countyId }, expiresAt };
  }
}

/** A per-installation dev secret, so dev tokens survive restarts but differ between machines. */
function devSecret(dataDir: string): string {
  const file = join(dataDir, 'dev-jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
