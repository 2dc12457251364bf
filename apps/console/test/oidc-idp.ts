import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';

/**
 * A small OpenID Connect provider for the console's sign-in test, on loopback: discovery, an authorization endpoint that
 * approves at once as the configured user, a token endpoint that checks the PKCE verifier (S256), and the JWKS. Tokens
 * are RS256; the access token carries the claims the API reads (`sub`, `org`, `role`) for the audience the API names.
 * Not a provider to run anything on: one user, one client, codes kept in memory.
 */
export interface TestIdp {
  issuer: string;
  clientId: string;
  audience: string;
  /** Every token request and whether its code and verifier were accepted. */
  tokenRequests: { accepted: boolean; reason?: string }[];
  close(): Promise<void>;
}

export interface IdpUser {
  sub: string;
  org: string;
  role: string;
}

interface Grant {
  clientId: string;
  redirectUri: string;
  challenge: string;
  nonce?: string;
  used: boolean;
}

const b64url = (bytes: Buffer) => bytes.toString('base64url');

export async function startTestIdp(user: IdpUser, options: { clientId?: string; audience?: string } = {}): Promise<TestIdp> {
  const clientId = options.clientId ?? 'chuishao-console';
  const audience = options.audience ?? 'chuishao-api';
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const kid = b64url(randomBytes(8));
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const grants = new Map<string, Grant>();
  const tokenRequests: TestIdp['tokenRequests'] = [];
  let issuer = '';

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
    res.end(JSON.stringify(body));
  };
  const refuse = (res: ServerResponse, error: string, reason: string) => {
    tokenRequests.push({ accepted: false, reason });
    send(res, 400, { error, error_description: reason });
  };
  const sign = (claims: Record<string, unknown>, aud: string) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .setIssuer(issuer)
      .setAudience(aud)
      .setSubject(user.sub)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);

  async function token(req: IncomingMessage, res: ServerResponse) {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const form = new URLSearchParams(raw);
    if (form.get('grant_type') !== 'authorization_code') return refuse(res, 'unsupported_grant_type', 'grant_type');
    const grant = grants.get(form.get('code') ?? '');
    if (!grant || grant.used) return refuse(res, 'invalid_grant', 'unknown or used code');
    if (form.get('client_id') !== grant.clientId || form.get('redirect_uri') !== grant.redirectUri)
      return refuse(res, 'invalid_grant', 'client or redirect_uri');
    const verifier = form.get('code_verifier') ?? '';
    if (b64url(createHash('sha256').update(verifier).digest()) !== grant.challenge) return refuse(res, 'invalid_grant', 'PKCE verifier');
    grant.used = true;
    tokenRequests.push({ accepted: true });
    send(res, 200, {
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'openid profile',
      access_token: await sign({ org: user.org, role: user.role }, audience),
      id_token: await sign({ ...(grant.nonce ? { nonce: grant.nonce } : {}), name: user.sub }, grant.clientId),
    });
  }

  function authorize(url: URL, res: ServerResponse) {
    const q = url.searchParams;
    const redirectUri = q.get('redirect_uri') ?? '';
    if (q.get('client_id') !== clientId || !/^https?:\/\/127\.0\.0\.1:\d+\/auth\/callback$/.test(redirectUri))
      return send(res, 400, { error: 'invalid_request' });
    if (q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge')) {
      const back = new URL(redirectUri);
      back.searchParams.set('error', 'invalid_request');
      back.searchParams.set('state', q.get('state') ?? '');
      res.writeHead(302, { location: back.href }).end();
      return;
    }
    const code = b64url(randomBytes(16));
    grants.set(code, { clientId, redirectUri, challenge: q.get('code_challenge')!, nonce: q.get('nonce') ?? undefined, used: false });
    const back = new URL(redirectUri);
    back.searchParams.set('code', code);
    back.searchParams.set('state', q.get('state') ?? '');
    res.writeHead(302, { location: back.href }).end();
  }

  const server: Server = createServer((req, res) => {
    // The console calls discovery and the token endpoint from its own origin.
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-allow-headers', 'content-type, authorization');
    const url = new URL(req.url ?? '/', issuer);
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    if (req.method === 'GET' && url.pathname === '/.well-known/openid-configuration')
      return send(res, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        grant_types_supported: ['authorization_code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['none'],
        scopes_supported: ['openid', 'profile'],
      });
    if (req.method === 'GET' && url.pathname === '/jwks') return send(res, 200, { keys: [jwk] });
    if (req.method === 'GET' && url.pathname === '/authorize') return authorize(url, res);
    if (req.method === 'POST' && url.pathname === '/token') {
      token(req, res).catch((e: Error) => send(res, 500, { error: 'server_error', error_description: e.message }));
      return;
    }
    send(res, 404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    clientId,
    audience,
    tokenRequests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
