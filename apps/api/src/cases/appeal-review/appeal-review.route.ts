import { Body, Controller, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import type { CaseCommandHandler } from '@chuishao/commands';
import type { Actor } from '@chuishao/domain';
import { AttachmentIds } from '../../attachments/attachment-ids';
import { Attachments } from '../../attachments/attachments.service';
import { CurrentActor } from '../../auth/auth.guard';
import { commandOptions, Meta, type RequestMeta } from '../../http/request-meta';
import { COMMAND_HANDLER } from '../../tokens';
import { CaseIdPipe } from '../case-id.pipe';
import { sendCase } from '../send-case';

export class AppealReviewDto {
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(64) departmentId?: string;
  @IsString() @IsNotEmpty() @MaxLength(2000) reason!: string;
  /** Evidence (POST /v1/attachments) the department uploaded, e.g. photos of the work the review overlooked. */
  @AttachmentIds() attachmentIds?: string[];
}

@Controller('v1/cases/:caseId/appeals')
export class AppealReviewRoute {
  constructor(
    @Inject(COMMAND_HANDLER) private readonly handle: CaseCommandHandler,
    private readonly attachments: Attachments,
  ) {}

  /** 申诉: the department appeals the latest review of its part, within the appeal window. */
  @Post()
  @HttpCode(200)
  async appeal(
    @Param('caseId', CaseIdPipe) caseId: string,
    @CurrentActor() actor: Actor,
    @Body() body: AppealReviewDto,
    @Meta() meta: RequestMeta,
    @Res({ passthrough: true }) res: Response,
  ) {
    const data = {
      reason: body.reason,
      ...(body.departmentId === undefined ? {} : { departmentId: body.departmentId }),
      ...(body.attachmentIds ? { attachmentIds: body.attachmentIds } : {}),
    };
    const { uploads } = this.attachments.factsFor(actor, caseId, body.attachmentIds);
    return sendCase(res, await this.handle(caseId, (now) => ({ type: 'AppealReview', caseId, actor, now, data, uploads }), commandOptions(meta)));
  }
}
