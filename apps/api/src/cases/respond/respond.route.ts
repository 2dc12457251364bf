import { Body, Controller, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import type { CaseCommandHandler } from '@chuishao/commands';
import type { Actor } from '@chuishao/domain';
import { CurrentActor } from '../../auth/auth.guard';
import { commandOptions, Meta, type RequestMeta } from '../../http/request-meta';
import { COMMAND_HANDLER } from '../../tokens';
import { CaseIdPipe } from '../case-id.pipe';
import { sendCase } from '../send-case';

export class RespondDto {
  @IsOptional() @IsString() @MaxLength(2000) note?: string;
}

@Controller('v1/cases/:caseId/responses')
export class RespondRoute {
  constructor(@Inject(COMMAND_HANDLER) private readonly handle: CaseCommandHandler) {}

  /** 报到: the department holding a part reports in. */
  @Post()
  @HttpCode(200)
  async respond(
    @Param('caseId', CaseIdPipe) caseId: string,
    @CurrentActor() actor: Actor,
    @Body() body: RespondDto,
    @Meta() meta: RequestMeta,
    @Res({ passthrough: true }) res: Response,
  ) {
    const data = { note: body.note };
    return sendCase(res, await this.handle(caseId, (now) => ({ type: 'RespondToCase', caseId, actor, now, data }), commandOptions(meta)));
  }
}
