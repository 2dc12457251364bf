import { Body, Controller, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';
import type { CaseCommandHandler } from '@chuishao/commands';
import { NOTE_MAX_LENGTH, type Actor } from '@chuishao/domain';
import { AttachmentIds } from '../../attachments/attachment-ids';
import { Attachments } from '../../attachments/attachments.service';
import { CurrentActor } from '../../auth/auth.guard';
import { commandOptions, Meta, type RequestMeta } from '../../http/request-meta';
import { COMMAND_HANDLER } from '../../tokens';
import { CaseIdPipe } from '../case-id.pipe';
import { sendCase } from '../send-case';

/** Some character that is neither whitespace nor invisible (the domain's hasText, stated in the document). */
const SAYS_SOMETHING = /[^\s\p{Cf}]/u;

export class AddNoteDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(NOTE_MAX_LENGTH)
  @Matches(SAYS_SOMETHING, { message: 'text must say something (not only spaces or invisible characters)' })
  text!: string;
  @AttachmentIds() attachmentIds?: string[];
}

@Controller('v1/cases/:caseId/notes')
export class AddNoteRoute {
  constructor(
    @Inject(COMMAND_HANDLER) private readonly handle: CaseCommandHandler,
    private readonly attachments: Attachments,
  ) {}

  /** A note on the case's coordination record, with files the caller's org uploaded. */
  @Post()
  @HttpCode(200)
  async add(
    @Param('caseId', CaseIdPipe) caseId: string,
    @CurrentActor() actor: Actor,
    @Body() body: AddNoteDto,
    @Meta() meta: RequestMeta,
    @Res({ passthrough: true }) res: Response,
  ) {
    const data = { text: body.text, ...(body.attachmentIds ? { attachmentIds: body.attachmentIds } : {}) };
    const { uploads } = this.attachments.factsFor(actor, caseId, body.attachmentIds);
    return sendCase(res, await this.handle(caseId, (now) => ({ type: 'AddNote', caseId, actor, now, data, uploads }), commandOptions(meta)));
  }
}
