import { CanActivate, ExecutionContext, Injectable, Optional, createParamDecorator } from '@nestjs/common';
import { markAuthRequired, PUBLIC } from './public';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Actor } from '@chuishao/domain';
import { Problem } from '../http/problem';
import { AuthFailureLimiter } from '../http/rate-limit';
import { TokenService } from './token.service';

export { Public, PUBLIC } from './public';

type AuthedRequest = Request & { actor?: Actor };

/** Every route is authenticated unless marked @Public(). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    @Optional() private readonly failures?: AuthFailureLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const req = context.switchToHttp().getRequest<AuthedRequest>();
    markAuthRequired(req);
    try {
      const header = req.headers.authorization ?? '';
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match) throw Problem.unauthenticated('send Authorization: Bearer <token>');
      req.actor = await this.tokens.verify(match[1]);
      return true;
    } catch (refusal) {
      await this.failures?.refused(req.ip);
      throw refusal;
    }
  }
}

/** The authenticated actor of the request. */
export const CurrentActor = createParamDecorator((_: unknown, context: ExecutionContext): Actor => {
  const actor = context.switchToHttp().getRequest<AuthedRequest>().actor;
  if (!actor) throw Problem.unauthenticated('not authenticated');
  return actor;
});
