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
/** Clock skew tolerated between the identity provider and this server. */
const CLOCK_TOLERANCE_S = 60;
/**
 * Algorithms per key type, so a token can never choose how it is checked: the shared secret verifies HS256 only,
 * the provider's published keys asymmetric signatures only (no HS256 made with a public key, no `none`).
 */
const SECRET_ALGORITHMS = ['HS256'];
const JWKS_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const SUBJECT_MAX = 128;
// C0/C1 controls and the invisible format characters (zero-width space, bidi overrides) that disguise audit lines.
const SUBJECT_FORBIDDEN = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

/**
 * Bearer JWTs carrying the org (`org`), its role (`role`) and the user (`sub`). Dev mode signs its
 * own tokens with a secret kept in DATA_DIR; production verifies with JWT_SECRET or a JWKS URL and
 * never accepts a token minted by the dev endpoint.
 */
export class TokenService {
  private readonly secret: Uint8Array | null;
  private readonly jwks: JWTVerifyGetKey | null;
  private readonly verified = new Map<string, { actor: Actor; expiresAt: number }>();

  constructor(
    private readonly config: AppConfig,
    private readonly directory: Directory,
  ) {
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
      const options = {
        issuer: this.config.auth.issuer ?? (this.config.production ? undefined : DEV_ISSUER),
        audience: this.config.auth.audience ?? undefined,
        requiredClaims: ['exp'],
        clockTolerance: CLOCK_TOLERANCE_S,
      };
      payload = this.jwks
        ? (await jwtVerify(token, this.jwks, { ...options, algorithms: JWKS_ALGORITHMS })).payload
        : (await jwtVerify(token, this.secret!, { ...options, algorithms: SECRET_ALGORITHMS })).payload;
    } catch (error) {
      const claim = (error as { claim?: string }).claim;
      throw Problem.unauthenticated(
        claim === 'exp' && (error as { code?: string }).code === 'ERR_JWT_CLAIM_VALIDATION_FAILED'
          ? 'the bearer token has no expiry (exp) or has expired'
          : 'the bearer token is invalid or expired',
      );
    }
    const now = Math.floor(Date.now() / 1000);
    const maxLifetime = this.config.auth.maxTokenLifetimeSeconds;
    const issuedAt = typeof payload.iat === 'number' ? payload.iat : now;
    if (payload.exp! - Math.min(issuedAt, now) > maxLifetime + CLOCK_TOLERANCE_S) {
      throw Problem.unauthenticated(`the bearer token lives longer than the ${maxLifetime / 3600} h allowed`);
    }
    if (this.config.production && payload.dev === true) throw Problem.unauthenticated('development tokens are not accepted in production');
    const sub = payload.sub as unknown;
    if (typeof sub !== 'string' || sub.length === 0 || sub.length > SUBJECT_MAX || SUBJECT_FORBIDDEN.test(sub) || sub.trim() !== sub) {
      throw Problem.unauthenticated(`the token's user (sub) must be 1–${SUBJECT_MAX} characters of text, without control characters`);
    }
    const orgId = typeof payload.org === 'string' ? payload.org : '';
    const org = this.directory.get(orgId);
    if (!org) throw Problem.unauthenticated('the token names no org of the directory');
    if (payload.role !== undefined && payload.role !== org.type) throw Problem.unauthenticated('the token role does not match the org');
    return { actor: { orgId: org.id, role: org.type, userId: sub, countyId: org.countyId }, expiresAt: payload.exp! * 1000 };
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
