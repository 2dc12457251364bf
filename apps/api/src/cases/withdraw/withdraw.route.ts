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

export class WithdrawDto {
  @IsString() @IsNotEmpty() @MaxLength(2000) reason!: string;
}

export class WithdrawCommand {
  constructor(readonly caseId: string, readonly actor: Actor, readonly body: WithdrawDto, readonly meta: RequestMeta) {}
}

@CommandHandler(WithdrawCommand)
export class WithdrawHandler implements ICommandHandler<WithdrawCommand, CommandOutcome> {
  constructor(private readonly cases: CaseCommands) {}
  execute({ caseId, actor, body, meta }: WithdrawCommand) {
    return this.cases.execute(caseId, actor, meta, (now) => ({ type: 'WithdrawCase', caseId, actor, now, data: { reason: body.reason } }));
  }
}

@Controller('v1/cases/:caseId/withdrawal')
export class WithdrawRoute {
  constructor(private readonly commands: CommandBus) {}

  /** The raising township withdraws an open case, with a reason. */
  @Post()
  @HttpCode(200)
  async withdraw(@Param('caseId', CaseIdPipe) caseId: string, @CurrentActor() actor: Actor, @Body() body: WithdrawDto, @Meta() meta: RequestMeta, @Res({ passthrough: true }) res: Response) {
    return sendCase(res, await this.commands.execute<WithdrawCommand, CommandOutcome>(new WithdrawCommand(caseId, actor, body, meta)));
  }
}
