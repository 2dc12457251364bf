import { Body, Controller, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { IsInt, IsNotEmpty, IsString, Max, MaxLength, Min } from 'class-validator';
import type { CaseCommandHandler } from '@chuishao/commands';
import type { Actor } from '@chuishao/domain';
import { AttachmentIds } from '../../attachments/attachment-ids';
import { Attachments } from '../../attachments/attachments.service';
import { CurrentActor } from '../../auth/auth.guard';
import { commandOptions, Meta, type RequestMeta } from '../../http/request-meta';
import { COMMAND_HANDLER } from '../../tokens';
import { CaseIdPipe } from '../case-id.pipe';
import { sendCase } from '../send-case';

export class RequestExtensionDto {
  @IsString() @IsNotEmpty() @MaxLength(2000) reason!: string;
  @IsInt() @Min(1) @Max(60) workingDays!: number;
  /** Evidence (POST /v1/attachments) the department uploaded, e.g. the lab's receipt. */
  @AttachmentIds() attachmentIds?: string[];
}

@Controller('v1/cases/:caseId/extension-requests')
export class RequestExtensionRoute {
  constructor(
    @Inject(COMMAND_HANDLER) private readonly handle: CaseCommandHandler,
    private readonly attachments: Attachments,
  ) {}

  /** 延期: the department holding a reported-in part asks the command centre for more working days. */
  @Post()
  @HttpCode(200)
  async request(
    @Param('caseId', CaseIdPipe) caseId: string,
    @CurrentActor() actor: Actor,
    @Body() body: RequestExtensionDto,
    @Meta() meta: RequestMeta,
    @Res({ passthrough: true }) res: Response,
  ) {
    const data = { reason: body.reason, workingDays: body.workingDays, ...(body.attachmentIds ? { attachmentIds: body.attachmentIds } : {}) };
    const { uploads } = this.attachments.factsFor(actor, caseId, body.attachmentIds);
    return sendCase(res, await this.handle(caseId, (now) => ({ type: 'RequestExtension', caseId, actor, now, data, uploads }), commandOptions(meta)));
  }
}
