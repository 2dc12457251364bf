import { pipeline } from 'node:stream/promises';
import { Controller, Get, Logger, Param } from '@nestjs/common';
import { Res } from '@nestjs/common';
import type { Response } from 'express';
import type { Actor } from '@chuishao/domain';
import { CurrentActor } from '../auth/auth.guard';
import { Problem } from '../http/problem';
import { Attachments } from './attachments.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Letters, digits, spaces and . _ - ( ): a name a browser shows inline without surprises. */
const SAFE_NAME = /^[\p{L}\p{N} ._()-]{1,200}$/u;

/** RFC 6266: an ASCII fallback name and the real one in RFC 8187 encoding. */
export function contentDisposition(kind: 'inline' | 'attachment', fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

const notFound = (id: string) => Problem.notFound(`attachment ${id} not found`, 'ATTACHMENT.NOT_FOUND');

@Controller('v1/attachments/:attachmentId')
export class GetAttachmentRoute {
  private readonly log = new Logger('attachments');

  constructor(private readonly attachments: Attachments) {}

  /**
   * The file, exactly as uploaded, with exactly the type its bytes were checked to be (never another, never
   * sniffed by the browser). Whoever may not read it is told it does not exist.
   */
  @Get()
  async get(@Param('attachmentId') id: string, @CurrentActor() actor: Actor, @Res() res: Response): Promise<void> {
    if (!UUID.test(id)) throw notFound(id);
    const found = await this.attachments.readable(actor, id);
    if (!found) throw notFound(id);
    const { upload, content } = found;
    const inline = upload.type.startsWith('image/') && SAFE_NAME.test(upload.fileName);
    res.status(200);
    res.setHeader('Content-Type', upload.type);
    res.setHeader('Content-Length', String(upload.size));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Disposition', contentDisposition(inline ? 'inline' : 'attachment', upload.fileName));
    // Nothing in the file may run as this origin's page (a PDF viewer, an SVG smuggled as something else).
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    res.setHeader('ETag', `"${upload.sha256}"`);
    try {
      await pipeline(content, res);
    } catch (error) {
      this.log.warn(`attachment ${id}: sending stopped (${(error as Error).message})`);
    }
  }
}
