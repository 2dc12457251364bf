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

export class CompleteDto {
  @IsString() @IsNotEmpty() @MaxLength(4000) result!: string;
}

export class CompleteCommand {
  constructor(readonly caseId: string, readonly actor: Actor, readonly body: CompleteDto, readonly meta: RequestMeta) {}
}

@CommandHandler(CompleteCommand)
export class CompleteHandler implements ICommandHandler<CompleteCommand, CommandOutcome> {
  constructor(private readonly cases: CaseCommands) {}
  execute({ caseId, actor, body, meta }: CompleteCommand) {
    return this.cases.execute(caseId, actor, meta, (now) => ({ type: 'CompleteHandling', caseId, actor, now, data: { result: body.result } }));
  }
}

@Controller('v1/cases/:caseId/completions')
export class CompleteRoute {
  constructor(private readonly commands: CommandBus) {}

  /** 办结: the holding department reports its part handled. */
  @Post()
  @HttpCode(200)
  async complete(@Param('caseId', CaseIdPipe) caseId: string, @CurrentActor() actor: Actor, @Body() body: CompleteDto, @Meta() meta: RequestMeta, @Res({ passthrough: true }) res: Response) {
    return sendCase(res, await this.commands.execute<CompleteCommand, CommandOutcome>(new CompleteCommand(caseId, actor, body, meta)));
  }
}
