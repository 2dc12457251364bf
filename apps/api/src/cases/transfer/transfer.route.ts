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

export class TransferDto {
  @IsString() @IsNotEmpty() @MaxLength(64) toDepartmentId!: string;
  @IsString() @IsNotEmpty() @MaxLength(2000) reason!: string;
}

export class TransferCommand {
  constructor(readonly caseId: string, readonly actor: Actor, readonly body: TransferDto, readonly meta: RequestMeta) {}
}

@CommandHandler(TransferCommand)
export class TransferHandler implements ICommandHandler<TransferCommand, CommandOutcome> {
  constructor(private readonly cases: CaseCommands, @Inject(DIRECTORY) private readonly directory: Directory) {}
  execute({ caseId, actor, body, meta }: TransferCommand) {
    requireCountyDepartments(this.directory, actor.countyId, [{ field: 'toDepartmentId', id: body.toDepartmentId }]);
    return this.cases.execute(caseId, actor, meta, (now) => ({ type: 'TransferCase', caseId, actor, now, data: { ...body } }));
  }
}

@Controller('v1/cases/:caseId/transfers')
export class TransferRoute {
  constructor(private readonly commands: CommandBus) {}

  /** 转办: the holding department passes its part to another department, with a reason. */
  @Post()
  @HttpCode(200)
  async transfer(@Param('caseId', CaseIdPipe) caseId: string, @CurrentActor() actor: Actor, @Body() body: TransferDto, @Meta() meta: RequestMeta, @Res({ passthrough: true }) res: Response) {
    return sendCase(res, await this.commands.execute<TransferCommand, CommandOutcome>(new TransferCommand(caseId, actor, body, meta)));
  }
}
