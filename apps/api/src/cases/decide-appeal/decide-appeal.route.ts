import { Body, Controller, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { IsBoolean, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import type { CaseCommandHandler } from '@chuishao/commands';
import type { Actor } from '@chuishao/domain';
import { CurrentActor } from '../../auth/auth.guard';
import { commandOptions, Meta, type RequestMeta } from '../../http/request-meta';
import { COMMAND_HANDLER } from '../../tokens';
import { CaseIdPipe } from '../case-id.pipe';
import { sendCase } from '../send-case';

export class DecideAppealDto {
  @IsString() @IsNotEmpty() @MaxLength(64) departmentId!: string;
  @IsBoolean() upheld!: boolean;
  @IsString() @IsNotEmpty() @MaxLength(2000) note!: string;
}

@Controller('v1/cases/:caseId/appeal-decisions')
export class DecideAppealRoute {
  constructor(@Inject(COMMAND_HANDLER) private readonly handle: CaseCommandHandler) {}

  /** The assessment office decides an open appeal (its only write); upheld voids the review for scoring from now on. */
  @Post()
  @HttpCode(200)
  async decide(
    @Param('caseId', CaseIdPipe) caseId: string,
    @CurrentActor() actor: Actor,
    @Body() body: DecideAppealDto,
    @Meta() meta: RequestMeta,
    @Res({ passthrough: true }) res: Response,
  ) {
    const data = { departmentId: body.departmentId, upheld: body.upheld, note: body.note };
    return sendCase(res, await this.handle(caseId, (now) => ({ type: 'DecideAppeal', caseId, actor, now, data }), commandOptions(meta)));
  }
}
