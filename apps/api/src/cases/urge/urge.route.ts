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

export class UrgeDto {
  @IsString() @IsNotEmpty() @MaxLength(64) departmentId!: string;
  @IsString() @IsNotEmpty() @MaxLength(2000) note!: string;
}

@Controller('v1/cases/:caseId/urges')
export class UrgeRoute {
  constructor(@Inject(COMMAND_HANDLER) private readonly handle: CaseCommandHandler) {}

  /** 督办: the command centre formally urges the department holding a part. */
  @Post()
  @HttpCode(200)
  async urge(
    @Param('caseId', CaseIdPipe) caseId: string,
    @CurrentActor() actor: Actor,
    @Body() body: UrgeDto,
    @Meta() meta: RequestMeta,
    @Res({ passthrough: true }) res: Response,
  ) {
    const data = { departmentId: body.departmentId, note: body.note };
    return sendCase(res, await this.handle(caseId, (now) => ({ type: 'UrgeDepartment', caseId, actor, now, data }), commandOptions(meta)));
  }
}
