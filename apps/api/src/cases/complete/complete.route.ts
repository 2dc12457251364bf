import { Body, Controller, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import type { CaseCommandHandler } from '@chuishao/commands';
import type { Actor } from '@chuishao/domain';
import { AttachmentIds } from '../../attachments/attachment-ids';
import { Attachments } from '../../attachments/attachments.service';
import { CurrentActor } from '../../auth/auth.guard';
import { commandOptions, Meta, type RequestMeta } from '../../http/request-meta';
import { COMMAND_HANDLER } from '../../tokens';
import { CaseIdPipe } from '../case-id.pipe';
import { sendCase } from '../send-case';

export class CompleteDto {
  @IsString() @IsNotEmpty() @MaxLength(4000) result!: string;
  /** Evidence (POST /v1/attachments) the department uploaded. */
  @AttachmentIds() attachmentIds?: string[];
}

@Controller('v1/cases/:caseId/completions')
export class CompleteRoute {
  constructor(
    @Inject(COMMAND_HANDLER) private readonly handle: CaseCommandHandler,
    private readonly attachments: Attachments,
  ) {}

  /** 办结: the holding department reports its part handled. */
  @Post()
  @HttpCode(200)
  async complete(
    @Param('caseId', CaseIdPipe) caseId: string,
    @CurrentActor() actor: Actor,
    @Body() body: CompleteDto,
    @Meta() meta: RequestMeta,
    @Res({ passthrough: true }) res: Response,
  ) {
    const data = { result: body.result, ...(body.attachmentIds ? { attachmentIds: body.attachmentIds } : {}) };
    const { uploads } = this.attachments.factsFor(actor, caseId, body.attachmentIds);
    return sendCase(res, await this.handle(caseId, (now) => ({ type: 'CompleteHandling', caseId, actor, now, data, uploads }), commandOptions(meta)));
  }
}
