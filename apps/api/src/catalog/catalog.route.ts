import { Controller, Get, Inject } from '@nestjs/common';
import type { Catalog } from '@chuishao/catalog';
import { Public } from '../auth/auth.guard';
import { CATALOG } from '../tokens';

@Controller('v1/catalog')
export class CatalogRoute {
  constructor(@Inject(CATALOG) private readonly catalog: Catalog) {}

  /** 吹哨清单: the matters a township may whistle for, with departments and time limits. Published, so public. */
  @Public()
  @Get()
  list() {
    return { version: this.catalog.version, matters: this.catalog.list() };
  }
}
