import { Body, Controller, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { IsBoolean, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { CaseCommandHandler } from '@chuishao/commands';
import type { Actor } from '@chuishao/domain';
import { CurrentActor } from '../../auth/auth.guard';
import { commandOptions, Meta, type RequestMeta } from '../../http/request-meta';
import { COMMAND_HANDLER } from '../../tokens';
import { CaseIdPipe } from '../case-id.pipe';
import { sendCase } from '../send-case';

export class DecideExtensionDto {
  @IsString() @IsNotEmpty() @MaxLength(64) departmentId!: string;
  @IsBoolean() approved!: boolean;
  @IsOptional() @IsInt() @Min(1) @Max(60) workingDays?: number;
  @IsOptional() @IsString() @MaxLength(2000) note?: string;
}

@Controller('v1/cases/:caseId/extension-decisions')
export class DecideExtensionRoute {
  constructor(@Inject(COMMAND_HANDLER) private readonly handle: CaseCommandHandler) {}

  /** The command centre approves (possibly fewer working days) or refuses a pending extension request. */
  @Post()
  @HttpCode(200)
  async decide(
    @Param('caseId', CaseIdPipe) caseId: string,
    @CurrentActor() actor: Actor,
    @Body() body: DecideExtensionDto,
    @Meta() meta: RequestMeta,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { departmentId, approved, workingDays, note } = body;
    const data = { departmentId, approved, ...(workingDays === undefined ? {} : { workingDays }), ...(note === undefined ? {} : { note }) };
    return sendCase(res, await this.handle(caseId, (now) => ({ type: 'DecideExtension', caseId, actor, now, data }), commandOptions(meta)));
  }
}
