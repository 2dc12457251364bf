import { CanActivate, ExecutionContext, Injectable, SetMetadata, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Actor } from '@chuishao/domain';
import { Problem } from '../http/problem';
import { TokenService } from './token.service';

export const PUBLIC = 'chuishao:public';
/** Marks a route that needs no token (org list, dev tokens, OpenAPI). */
export const Public = () => SetMetadata(PUBLIC, true);

type AuthedRequest = Request & { actor?: Actor };

/** Every route is authenticated unless marked @Public(). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(private readonly reflector: Reflector, private readonly tokens: TokenService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const req = context.switchToHttp().getRequest<AuthedRequest>();
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw Problem.unauthenticated('send Authorization: Bearer <token>');
    req.actor = await this.tokens.verify(match[1]);
    return true;
  }
}

/** The authenticated actor of the request. */
export const CurrentActor = createParamDecorator((_: unknown, context: ExecutionContext): Actor => {
  const actor = context.switchToHttp().getRequest<AuthedRequest>().actor;
  if (!actor) throw Problem.unauthenticated('not authenticated');
  return actor;
});
