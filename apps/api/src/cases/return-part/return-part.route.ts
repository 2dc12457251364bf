import { Body, Controller, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import type { CaseCommandHandler } from '@chuishao/commands';
import type { Actor } from '@chuishao/domain';
import type { Directory } from '@chuishao/directory';
import { AttachmentIds } from '../../attachments/attachment-ids';
import { Attachments } from '../../attachments/attachments.service';
import { CurrentActor } from '../../auth/auth.guard';
import { commandOptions, Meta, type RequestMeta } from '../../http/request-meta';
import { COMMAND_HANDLER, DIRECTORY } from '../../tokens';
import { CaseIdPipe } from '../case-id.pipe';
import { directoryFacts } from '../directory-facts';
import { sendCase } from '../send-case';

export class ReturnPartDto {
  @IsString() @IsNotEmpty() @MaxLength(2000) reason!: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(64) suggestedDepartmentId?: string;
  /** Evidence (POST /v1/attachments) the department uploaded, e.g. a photo showing whose the site is. */
  @AttachmentIds() attachmentIds?: string[];
}

@Controller('v1/cases/:caseId/returns')
export class ReturnPartRoute {
  constructor(
    @Inject(COMMAND_HANDLER) private readonly handle: CaseCommandHandler,
    @Inject(DIRECTORY) private readonly directory: Directory,
    private readonly attachments: Attachments,
  ) {}

  /** 退单: the department holding a part it has not completed returns it to the command centre, with its reason. */
  @Post()
  @HttpCode(200)
  async return(
    @Param('caseId', CaseIdPipe) caseId: string,
    @CurrentActor() actor: Actor,
    @Body() body: ReturnPartDto,
    @Meta() meta: RequestMeta,
    @Res({ passthrough: true }) res: Response,
  ) {
    const facts = directoryFacts(this.directory, actor.countyId);
    const data = {
      reason: body.reason,
      ...(body.suggestedDepartmentId === undefined ? {} : { suggestedDepartmentId: body.suggestedDepartmentId }),
      ...(body.attachmentIds ? { attachmentIds: body.attachmentIds } : {}),
    };
    const { uploads } = this.attachments.factsFor(actor, caseId, body.attachmentIds);
    return sendCase(res, await this.handle(caseId, (now) => ({ type: 'ReturnPart', caseId, actor, now, data, facts, uploads }), commandOptions(meta)));
  }
}
