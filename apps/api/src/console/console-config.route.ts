import { Controller, Get, Inject } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import type { AppConfig, Clock } from '@chuishao/runtime';
import { Public } from '../auth/auth.guard';
import { CLOCK, CONFIG } from '../tokens';

export class OidcSettings {
  @ApiProperty({ description: 'OIDC_ISSUER: the county identity provider', example: 'https://id.qingchuan.gov.cn/realms/county' }) issuer!: string;
  @ApiProperty({
    description: 'OIDC_CLIENT_ID: the console’s client at that provider (a public client: authorization code + PKCE)',
    example: 'chuishao-console',
  })
  clientId!: string;
}

export class ConsoleConfig {
  @ApiProperty({ enum: ['development', 'production', 'test'] }) environment!: string;
  @ApiProperty({ description: 'Whether POST /v1/dev/tokens is served (development and test only): the console offers the org picker' }) devSignIn!: boolean;
  @ApiProperty({ type: OidcSettings, nullable: true, description: 'Sign-in at the county identity provider; null when OIDC_ISSUER is not set' })
  oidc!: OidcSettings | null;
  @ApiProperty({ description: 'CLOCK=simulated: server time moves only through POST /v1/dev/clock/advance' }) simulatedClock!: boolean;
  @ApiProperty({ type: String, format: 'date-time', description: 'The server’s time: the console counts deadlines down from it, not from the browser’s clock' })
  now!: string;
}

/** What the web console needs before anyone signs in: how to sign in, and the server's time. Public, no case data. */
@Controller('v1/console/config')
export class ConsoleConfigRoute {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Public()
  @Get()
  get(): ConsoleConfig {
    return {
      environment: this.config.environment,
      devSignIn: !this.config.production,
      oidc: this.config.oidc,
      simulatedClock: this.config.clock === 'simulated',
      now: this.clock.now().toISOString(),
    };
  }
}
