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

export class TransferDto {
  @IsString() @IsNotEmpty() @MaxLength(64) toDepartmentId!: string;
  @IsString() @IsNotEmpty() @MaxLength(2000) reason!: string;
}

@Controller('v1/cases/:caseId/transfers')
export class TransferRoute {
  constructor(
    @Inject(COMMAND_HANDLER) private readonly handle: CaseCommandHandler,
    @Inject(DIRECTORY) private readonly directory: Directory,
  ) {}

  /** 转办: the holding department passes its part to another department, with a reason. */
  @Post()
  @HttpCode(200)
  async transfer(
    @Param('caseId', CaseIdPipe) caseId: string,
    @CurrentActor() actor: Actor,
    @Body() body: TransferDto,
    @Meta() meta: RequestMeta,
    @Res({ passthrough: true }) res: Response,
  ) {
    const facts = directoryFacts(this.directory, actor.countyId);
    const data = { toDepartmentId: body.toDepartmentId, reason: body.reason };
    return sendCase(res, await this.handle(caseId, (now) => ({ type: 'TransferCase', caseId, actor, now, data, facts }), commandOptions(meta)));
  }
}
