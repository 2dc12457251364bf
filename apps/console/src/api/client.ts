import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

/** Every call goes through this client, typed by the API's generated OpenAPI document (schema.d.ts). */
export type Schemas = components['schemas'];
export type CaseView = Schemas['CaseView'];
export type PartView = Schemas['PartView'];
export type OrgView = Schemas['OrgView'];
export type MatterView = Schemas['MatterView'];
export type Problem = Schemas['Problem'];
export type ConsoleConfig = Schemas['ConsoleConfig'];
export type Scorecard = Schemas['Scorecard'];
export type ScorecardRow = Schemas['ScorecardRow'];
export type ScorecardExplanation = Schemas['ScorecardExplanation'];
export type CaseEvent = NonNullable<paths['/v1/cases/{caseId}/events']['get']['responses'][200]['content']['application/json']>[number];
export type ListCasesQuery = NonNullable<paths['/v1/cases']['get']['parameters']['query']>;

export const UNAUTHORIZED = 'chuishao:unauthorized';
let bearer: string | null = null;
/** Called on sign-in and sign-out: the token every request carries. */
export function setBearer(token: string | null): void {
  bearer = token;
}

const auth: Middleware = {
  onRequest({ request }) {
    if (bearer) request.headers.set('Authorization', `Bearer ${bearer}`);
    return request;
  },
  onResponse({ response }) {
    // An expired or revoked token: the session ends and the sign-in page shows (session.tsx listens).
    if (response.status === 401 && bearer) window.dispatchEvent(new Event(UNAUTHORIZED));
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin });
api.use(auth);

/** A problem+json answer (or a network failure) as an Error the pages can show; `fields` maps each field at fault. */
export class ApiError extends Error {
  constructor(
    readonly problem: Partial<Problem>,
    readonly status: number,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
  }
  get fields(): { name: (string | number)[]; errors: string[] }[] {
    const byField = new Map<string, string[]>();
    for (const e of this.problem.errors ?? []) byField.set(e.field, [...(byField.get(e.field) ?? []), e.message]);
    return [...byField].map(([field, errors]) => ({ name: fieldPath(field), errors }));
  }
}

/** `location.address` → ['location', 'address']; `departmentIds[0]` → ['departmentIds'] (the whole picker). */
export function fieldPath(field: string): (string | number)[] {
  return field
    .replace(/\[\d+\]$/, '')
    .split(/[.[\]]+/)
    .filter(Boolean);
}

/** The data of an openapi-fetch answer, or an ApiError for its problem. */
export async function must<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (error !== undefined || !response.ok) throw new ApiError((error ?? {}) as Partial<Problem>, response.status);
  return data as T;
}

/** Hands a downloaded file to the browser under `fileName` (the API's files come with the bearer, so not by a link). */
export function saveBlob(data: Blob, fileName: string): void {
  const url = URL.createObjectURL(data);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
