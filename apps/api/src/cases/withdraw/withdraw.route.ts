import { Body, Controller, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import type { CaseCommandHandler } from '@chuishao/commands';
import type { Actor } from '@chuishao/domain';
import { CurrentActor } from '../../auth/auth.guard';
import { commandOptions, Meta, type RequestMeta } from '../../http/request-meta';
import { COMMAND_HANDLER } from '../../tokens';
import { CaseIdPipe } from '../case-id.pipe';
import { sendCase } from '../send-case';

export class WithdrawDto {
  @IsString() @IsNotEmpty() @MaxLength(2000) reason!: string;
}

@Controller('v1/cases/:caseId/withdrawal')
export class WithdrawRoute {
  constructor(@Inject(COMMAND_HANDLER) private readonly handle: CaseCommandHandler) {}

  /** The raising township withdraws an open case, with a reason. */
  @Post()
  @HttpCode(200)
  async withdraw(
    @Param('caseId', CaseIdPipe) caseId: string,
    @CurrentActor() actor: Actor,
    @Body() body: WithdrawDto,
    @Meta() meta: RequestMeta,
    @Res({ passthrough: true }) res: Response,
  ) {
    const data = { reason: body.reason };
    return sendCase(res, await this.handle(caseId, (now) => ({ type: 'WithdrawCase', caseId, actor, now, data }), commandOptions(meta)));
  }
}
