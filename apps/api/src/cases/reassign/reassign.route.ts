import { Body, Controller, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Response } from 'express';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import type { Actor } from '@chuishao/domain';
import type { Directory } from '@chuishao/directory';
import { CurrentActor } from '../../auth/auth.guard';
import { Meta, type RequestMeta } from '../../http/request-meta';
import { DIRECTORY } from '../../tokens';
import { CaseCommands, type CommandOutcome } from '../case-commands';
import { CaseIdPipe } from '../case-id.pipe';
import { requireCountyDepartments } from '../county-departments';
import { sendCase } from '../send-case';

export class ReassignDto {
  @IsString() @IsNotEmpty() @MaxLength(64) fromDepartmentId!: string;
  @IsString() @IsNotEmpty() @MaxLength(64) toDepartmentId!: string;
  @IsString() @IsNotEmpty() @MaxLength(2000) reason!: string;
}

export class ReassignCommand {
  constructor(readonly caseId: string, readonly actor: Actor, readonly body: ReassignDto, readonly meta: RequestMeta) {}
}

@CommandHandler(ReassignCommand)
export class ReassignHandler implements ICommandHandler<ReassignCommand, CommandOutcome> {
  constructor(private readonly cases: CaseCommands, @Inject(DIRECTORY) private readonly directory: Directory) {}
  execute({ caseId, actor, body, meta }: ReassignCommand) {
    requireCountyDepartments(this.directory, actor.countyId, [{ field: 'toDepartmentId', id: body.toDepartmentId }]);
    return this.cases.execute(caseId, actor, meta, (now) => ({ type: 'ReassignPart', caseId, actor, now, data: { ...body } }));
  }
}

@Controller('v1/cases/:caseId/reassignments')
export class ReassignRoute {
  constructor(private readonly commands: CommandBus) {}

  /** 督办: the command centre moves a part to another department, whose clocks start anew. */
  @Post()
  @HttpCode(200)
  async reassign(@Param('caseId', CaseIdPipe) caseId: string, @CurrentActor() actor: Actor, @Body() body: ReassignDto, @Meta() meta: RequestMeta, @Res({ passthrough: true }) res: Response) {
    return sendCase(res, await this.commands.execute<ReassignCommand, CommandOutcome>(new ReassignCommand(caseId, actor, body, meta)));
  }
}
