import { Body, Controller, HttpCode, Param, Post, Res } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Response } from 'express';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import type { Actor } from '@chuishao/domain';
import { CurrentActor } from '../../auth/auth.guard';
import { Meta, type RequestMeta } from '../../http/request-meta';
import { CaseCommands, type CommandOutcome } from '../case-commands';
import { CaseIdPipe } from '../case-id.pipe';
import { sendCase } from '../send-case';

export class UrgeDto {
  @IsString() @IsNotEmpty() @MaxLength(64) departmentId!: string;
  @IsString() @IsNotEmpty() @MaxLength(2000) note!: string;
}

export class UrgeCommand {
  constructor(readonly caseId: string, readonly actor: Actor, readonly body: UrgeDto, readonly meta: RequestMeta) {}
}

@CommandHandler(UrgeCommand)
export class UrgeHandler implements ICommandHandler<UrgeCommand, CommandOutcome> {
  constructor(private readonly cases: CaseCommands) {}
  execute({ caseId, actor, body, meta }: UrgeCommand) {
    return this.cases.execute(caseId, actor, meta, (now) => ({ type: 'UrgeDepartment', caseId, actor, now, data: { ...body } }));
  }
}

@Controller('v1/cases/:caseId/urges')
export class UrgeRoute {
  constructor(private readonly commands: CommandBus) {}

  /** 督办: the command centre formally urges the department holding a part. */
  @Post()
  @HttpCode(200)
  async urge(@Param('caseId', CaseIdPipe) caseId: string, @CurrentActor() actor: Actor, @Body() body: UrgeDto, @Meta() meta: RequestMeta, @Res({ passthrough: true }) res: Response) {
    return sendCase(res, await this.commands.execute<UrgeCommand, CommandOutcome>(new UrgeCommand(caseId, actor, body, meta)));
  }
}
