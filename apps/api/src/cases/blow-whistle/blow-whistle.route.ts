import { randomUUID } from 'node:crypto';
import { Body, Controller, HttpCode, Inject, Post, Res } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Response } from 'express';
import type { Actor } from '@chuishao/domain';
import type { Directory } from '@chuishao/directory';
import { CurrentActor } from '../../auth/auth.guard';
import { Meta, type RequestMeta } from '../../http/request-meta';
import { DIRECTORY } from '../../tokens';
import { CaseCommands, type CommandOutcome } from '../case-commands';
import { requireCountyDepartments } from '../county-departments';
import { sendCase } from '../send-case';
import { BlowWhistleDto } from './blow-whistle.dto';

export class BlowWhistleCommand {
  constructor(readonly actor: Actor, readonly body: BlowWhistleDto, readonly meta: RequestMeta) {}
}

@CommandHandler(BlowWhistleCommand)
export class BlowWhistleHandler implements ICommandHandler<BlowWhistleCommand, CommandOutcome> {
  constructor(private readonly cases: CaseCommands, @Inject(DIRECTORY) private readonly directory: Directory) {}

  execute({ actor, body, meta }: BlowWhistleCommand): Promise<CommandOutcome> {
    // Named departments must be real departments of the township's county.
    requireCountyDepartments(this.directory, actor.countyId, body.departmentIds.map((id, i) => ({ field: `departmentIds[${i}]`, id })));
    const caseId = randomUUID();
    return this.cases.execute(caseId, actor, meta, (now) => ({ type: 'BlowWhistle', caseId, actor, now, data: { ...body } }));
  }
}

@Controller('v1/whistles')
export class BlowWhistleRoute {
  constructor(private readonly commands: CommandBus) {}

  /** 吹哨: a township raises a case to one or more departments. */
  @Post()
  @HttpCode(201)
  async blow(@CurrentActor() actor: Actor, @Body() body: BlowWhistleDto, @Meta() meta: RequestMeta, @Res({ passthrough: true }) res: Response) {
    const outcome = await this.commands.execute<BlowWhistleCommand, CommandOutcome>(new BlowWhistleCommand(actor, body, meta));
    res.setHeader('Location', `/v1/cases/${outcome.view.caseId}`);
    return sendCase(res, outcome);
  }
}
