import { UserManager, WebStorageStateStore } from 'oidc-client-ts';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, must, setBearer, UNAUTHORIZED, type ConsoleConfig, type OrgView } from './api/client';

export type Role = 'township' | 'department' | 'command_centre' | 'assessment_office';

export interface Session {
  token: string;
  orgId: string;
  userId: string;
  role: Role;
  /** Seconds since the epoch. */
  expiresAt: number;
  via: 'dev' | 'oidc';
}

interface SessionApi {
  config: ConsoleConfig | null;
  orgs: OrgView[];
  orgName(id: string): string;
  session: Session | null;
  signInDev(orgId: string, userId: string): Promise<void>;
  signInOidc(): Promise<void>;
  signOut(): Promise<void>;
  /** Server time now (ms): deadlines count down from the server's clock, which may be simulated. */
  serverNow(): number;
  /** Reads the settings and the server's time again (after the simulated clock moved). */
  refresh(): Promise<unknown>;
}

const KEY = 'chuishao.session';
const Ctx = createContext<SessionApi | null>(null);

function claims(token: string): { sub?: string; org?: string; role?: string; exp?: number } {
  const payload = token.split('.')[1] ?? '';
  const json = decodeURIComponent(
    atob(payload.replace(/-/g, '+').replace(/_/g, '/'))
      .split('')
      .map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
      .join(''),
  );
  return JSON.parse(json);
}

function stored(): Session | null {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Session | null;
    return s && s.expiresAt * 1000 > Date.now() ? s : null;
  } catch {
    return null;
  }
}

let manager: UserManager | null = null;
function oidcManager(config: ConsoleConfig): UserManager | null {
  if (!config.oidc) return null;
  manager ??= new UserManager({
    authority: config.oidc.issuer,
    client_id: config.oidc.clientId,
    redirect_uri: `${window.location.origin}/auth/callback`,
    post_logout_redirect_uri: `${window.location.origin}/`,
    response_type: 'code',
    scope: 'openid profile',
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
    automaticSilentRenew: false,
  });
  return manager;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [config, setConfig] = useState<ConsoleConfig | null>(null);
  const [offset, setOffset] = useState(0);
  const [orgs, setOrgs] = useState<OrgView[]>([]);
  const [session, setSession] = useState<Session | null>(() => {
    const s = stored();
    setBearer(s?.token ?? null);
    return s;
  });

  const refreshClock = useCallback(async () => {
    const c = await must(api.GET('/v1/console/config'));
    setConfig(c);
    setOffset(Date.parse(c.now) - Date.now());
    return c;
  }, []);

  useEffect(() => {
    void refreshClock();
    void must(api.GET('/v1/orgs')).then(setOrgs);
    const timer = setInterval(() => void refreshClock().catch(() => {}), 10_000);
    return () => clearInterval(timer);
  }, [refreshClock]);

  const adopt = useCallback(
    (token: string, via: Session['via']) => {
      const c = claims(token);
      const org = orgs.find((o) => o.id === c.org);
      const role = (c.role ?? org?.type) as Role;
      const s: Session = { token, orgId: c.org ?? '', userId: c.sub ?? '', role, expiresAt: c.exp ?? Date.now() / 1000 + 3600, via };
      sessionStorage.setItem(KEY, JSON.stringify(s));
      setBearer(token);
      setSession(s);
    },
    [orgs],
  );

  useEffect(() => {
    const end = () => {
      sessionStorage.removeItem(KEY);
      setBearer(null);
      setSession(null);
    };
    window.addEventListener(UNAUTHORIZED, end);
    return () => window.removeEventListener(UNAUTHORIZED, end);
  }, []);

  // The identity provider's redirect back: exchange the code (PKCE) for the tokens.
  useEffect(() => {
    if (!config || window.location.pathname !== '/auth/callback' || orgs.length === 0) return;
    const m = oidcManager(config);
    if (!m) return;
    void m.signinRedirectCallback().then((user) => {
      adopt(user.access_token, 'oidc');
      window.history.replaceState(null, '', '/');
      window.dispatchEvent(new PopStateEvent('popstate'));
    });
  }, [config, orgs, adopt]);

  const value = useMemo<SessionApi>(
    () => ({
      config,
      orgs,
      orgName: (id) => orgs.find((o) => o.id === id)?.name ?? id,
      session,
      async signInDev(orgId, userId) {
        const { token } = await must(api.POST('/v1/dev/tokens', { body: { orgId, userId } }));
        adopt(token, 'dev');
      },
      async signInOidc() {
        const m = config && oidcManager(config);
        if (m) await m.signinRedirect();
      },
      async signOut() {
        const via = session?.via;
        sessionStorage.removeItem(KEY);
        setBearer(null);
        setSession(null);
        const m = config && oidcManager(config);
        if (via === 'oidc' && m) await m.signoutRedirect().catch(() => m.removeUser());
      },
      serverNow: () => Date.now() + offset,
      refresh: refreshClock,
    }),
    [config, orgs, session, adopt, offset, refreshClock],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useSession(): SessionApi {
  const s = useContext(Ctx);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}
