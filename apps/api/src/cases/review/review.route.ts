import { Body, Controller, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { IsBoolean, IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import type { CaseCommandHandler } from '@chuishao/commands';
import { SATISFACTIONS, type Actor, type Satisfaction } from '@chuishao/domain';
import { CurrentActor } from '../../auth/auth.guard';
import { commandOptions, Meta, type RequestMeta } from '../../http/request-meta';
import { COMMAND_HANDLER } from '../../tokens';
import { CaseIdPipe } from '../case-id.pipe';
import { sendCase } from '../send-case';

export class ReviewDto {
  @IsString() @IsNotEmpty() @MaxLength(64) departmentId!: string;
  @IsBoolean() resolved!: boolean;
  @IsIn(SATISFACTIONS) satisfaction!: Satisfaction;
  @IsOptional() @IsString() @MaxLength(2000) comment?: string;
}

@Controller('v1/cases/:caseId/reviews')
export class ReviewRoute {
  constructor(@Inject(COMMAND_HANDLER) private readonly handle: CaseCommandHandler) {}

  /** 一事一评: the raising township reviews one department's completed part; unresolved sends it back. */
  @Post()
  @HttpCode(200)
  async review(
    @Param('caseId', CaseIdPipe) caseId: string,
    @CurrentActor() actor: Actor,
    @Body() body: ReviewDto,
    @Meta() meta: RequestMeta,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { departmentId, resolved, satisfaction, comment } = body;
    const data = { departmentId, resolved, satisfaction, comment };
    return sendCase(res, await this.handle(caseId, (now) => ({ type: 'ReviewHandling', caseId, actor, now, data }), commandOptions(meta)));
  }
}
