import { Controller, Get } from '@nestjs/common';
import { Public } from '../auth/auth.guard';
import { openApiDocument } from './openapi.document';

@Controller('v1/openapi.json')
export class OpenApiRoute {
  @Public()
  @Get()
  get() {
    return openApiDocument;
  }
}
