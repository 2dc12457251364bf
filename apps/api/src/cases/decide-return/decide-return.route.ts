import { Body, Controller, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { IsBoolean, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import type { CaseCommandHandler } from '@chuishao/commands';
import type { Actor } from '@chuishao/domain';
import type { Directory } from '@chuishao/directory';
import { CurrentActor } from '../../auth/auth.guard';
import { commandOptions, Meta, type RequestMeta } from '../../http/request-meta';
import { COMMAND_HANDLER, DIRECTORY } from '../../tokens';
import { CaseIdPipe } from '../case-id.pipe';
import { directoryFacts } from '../directory-facts';
import { sendCase } from '../send-case';

export class DecideReturnDto {
  @IsString() @IsNotEmpty() @MaxLength(64) departmentId!: string;
  @IsBoolean() upheld!: boolean;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(64) toDepartmentId?: string;
  @IsOptional() @IsString() @MaxLength(2000) note?: string;
}

@Controller('v1/cases/:caseId/return-decisions')
export class DecideReturnRoute {
  constructor(
    @Inject(COMMAND_HANDLER) private readonly handle: CaseCommandHandler,
    @Inject(DIRECTORY) private readonly directory: Directory,
  ) {}

  /** 审定: the command centre upholds a return (reassigning the part to toDepartmentId) or rejects it. */
  @Post()
  @HttpCode(200)
  async decide(
    @Param('caseId', CaseIdPipe) caseId: string,
    @CurrentActor() actor: Actor,
    @Body() body: DecideReturnDto,
    @Meta() meta: RequestMeta,
    @Res({ passthrough: true }) res: Response,
  ) {
    const facts = directoryFacts(this.directory, actor.countyId);
    const { departmentId, upheld, toDepartmentId, note } = body;
    const data = { departmentId, upheld, ...(toDepartmentId === undefined ? {} : { toDepartmentId }), ...(note === undefined ? {} : { note }) };
    return sendCase(res, await this.handle(caseId, (now) => ({ type: 'DecideReturn', caseId, actor, now, data, facts }), commandOptions(meta)));
  }
}
