import { SetMetadata } from '@nestjs/common';

export const PUBLIC = 'chuishao:public';
/** Marks a route that needs no token (org list, dev tokens, OpenAPI). */
export const Public = () => SetMetadata(PUBLIC, true);

const AUTH_REQUIRED = Symbol('chuishao:auth-required');
/** Set by the auth guard on every request to a route that needs a token (what the audit trail of refusals covers). */
export function markAuthRequired(req: object): void {
  (req as { [AUTH_REQUIRED]?: true })[AUTH_REQUIRED] = true;
}
export function isAuthRequired(req: object): boolean {
  return (req as { [AUTH_REQUIRED]?: true })[AUTH_REQUIRED] === true;
}
