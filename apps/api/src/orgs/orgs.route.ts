import { Controller, Get, Inject } from '@nestjs/common';
import type { Directory } from '@chuishao/directory';
import { Public } from '../auth/auth.guard';
import { DIRECTORY } from '../tokens';

@Controller('v1/orgs')
export class OrgsRoute {
  constructor(@Inject(DIRECTORY) private readonly directory: Directory) {}

  /** The org directory: public, so a client can show names and pick an org. */
  @Public()
  @Get()
  list() {
    return this.directory.list().map(({ id, name, type, countyId }) => ({ id, name, type, countyId }));
  }
}
