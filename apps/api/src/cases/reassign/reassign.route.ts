import { Body, Controller, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import type { CaseCommandHandler } from '@chuishao/commands';
import type { Actor } from '@chuishao/domain';
import type { Directory } from '@chuishao/directory';
import { CurrentActor } from '../../auth/auth.guard';
import { commandOptions, Meta, type RequestMeta } from '../../http/request-meta';
import { COMMAND_HANDLER, DIRECTORY } from '../../tokens';
import { CaseIdPipe } from '../case-id.pipe';
import { directoryFacts } from '../directory-facts';
import { sendCase } from '../send-case';

export class ReassignDto {
  @IsString() @IsNotEmpty() @MaxLength(64) fromDepartmentId!: string;
  @IsString() @IsNotEmpty() @MaxLength(64) toDepartmentId!: string;
  @IsString() @IsNotEmpty() @MaxLength(2000) reason!: string;
}

@Controller('v1/cases/:caseId/reassignments')
export class ReassignRoute {
  constructor(
    @Inject(COMMAND_HANDLER) private readonly handle: CaseCommandHandler,
    @Inject(DIRECTORY) private readonly directory: Directory,
  ) {}

  /** 督办: the command centre moves a part to another department, whose clocks start anew. */
  @Post()
  @HttpCode(200)
  async reassign(
    @Param('caseId', CaseIdPipe) caseId: string,
    @CurrentActor() actor: Actor,
    @Body() body: ReassignDto,
    @Meta() meta: RequestMeta,
    @Res({ passthrough: true }) res: Response,
  ) {
    const facts = directoryFacts(this.directory, actor.countyId);
    const data = { fromDepartmentId: body.fromDepartmentId, toDepartmentId: body.toDepartmentId, reason: body.reason };
    return sendCase(res, await this.handle(caseId, (now) => ({ type: 'ReassignPart', caseId, actor, now, data, facts }), commandOptions(meta)));
  }
}
