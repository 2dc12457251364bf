import { Body, Controller, HttpCode, Param, Post, Res } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Response } from 'express';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import type { Actor } from '@chuishao/domain';
import { CurrentActor } from '../../auth/auth.guard';
import { Meta, type RequestMeta } from '../../http/request-meta';
import { CaseCommands, type CommandOutcome } from '../case-commands';
import { CaseIdPipe } from '../case-id.pipe';
import { sendCase } from '../send-case';

export class RespondDto {
  @IsOptional() @IsString() @MaxLength(2000) note?: string;
}

export class RespondCommand {
  constructor(readonly caseId: string, readonly actor: Actor, readonly body: RespondDto, readonly meta: RequestMeta) {}
}

@CommandHandler(RespondCommand)
export class RespondHandler implements ICommandHandler<RespondCommand, CommandOutcome> {
  constructor(private readonly cases: CaseCommands) {}
  execute({ caseId, actor, body, meta }: RespondCommand) {
    return this.cases.execute(caseId, actor, meta, (now) => ({ type: 'RespondToCase', caseId, actor, now, data: { note: body.note } }));
  }
}

@Controller('v1/cases/:caseId/responses')
export class RespondRoute {
  constructor(private readonly commands: CommandBus) {}

  /** 报到: the department holding a part reports in. */
  @Post()
  @HttpCode(200)
  async respond(@Param('caseId', CaseIdPipe) caseId: string, @CurrentActor() actor: Actor, @Body() body: RespondDto, @Meta() meta: RequestMeta, @Res({ passthrough: true }) res: Response) {
    return sendCase(res, await this.commands.execute<RespondCommand, CommandOutcome>(new RespondCommand(caseId, actor, body, meta)));
  }
}
