import { Controller, Get } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import { Public } from '../auth/auth.guard';

@Controller('v1/openapi.json')
export class OpenApiRoute {
  /** Generated from the routes once the application is assembled (openapi.setup.ts). */
  private document: OpenAPIObject | null = null;

  serve(document: OpenAPIObject): void {
    this.document = document;
  }

  @Public()
  @Get()
  get() {
    return this.document;
  }
}
