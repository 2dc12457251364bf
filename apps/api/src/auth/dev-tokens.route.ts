import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { Public } from './auth.guard';
import { TokenService } from './token.service';

export class DevTokenDto {
  @IsString() @IsNotEmpty() @MaxLength(64) orgId!: string;
  @IsOptional() @IsString() @Matches(/^[A-Za-z0-9._@-]{1,64}$/, { message: 'userId must be 1-64 letters, digits or ._@-' }) userId?: string;
}

/** Development only: a token for any org of the directory. Production answers 404 here. */
@Controller('v1/dev/tokens')
export class DevTokensRoute {
  constructor(private readonly tokens: TokenService) {}

  @Public()
  @Post()
  @HttpCode(201)
  async issue(@Body() body: DevTokenDto) {
    return { token: await this.tokens.issueDevToken(body.orgId, body.userId ?? `${body.orgId}-demo`) };
  }
}
