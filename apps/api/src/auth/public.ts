import { SetMetadata } from '@nestjs/common';

export const PUBLIC = 'chuishao:public';
/** Marks a route that needs no token (org list, dev tokens, OpenAPI). */
export const Public = () => SetMetadata(PUBLIC, true);
