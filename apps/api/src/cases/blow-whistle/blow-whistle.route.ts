import { randomUUID } from 'node:crypto';
import { Body, Controller, HttpCode, Inject, Post, Res } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Response } from 'express';
import type { Actor, Category } from '@chuishao/domain';
import type { Catalog } from '@chuishao/catalog';
import { Problem } from '../../http/problem';
import type { Directory } from '@chuishao/directory';
import { CurrentActor } from '../../auth/auth.guard';
import { Meta, type RequestMeta } from '../../http/request-meta';
import { CATALOG, DIRECTORY } from '../../tokens';
import { CaseCommands, type CommandOutcome } from '../case-commands';
import { requireCountyDepartments } from '../county-departments';
import { sendCase } from '../send-case';
import { BlowWhistleDto } from './blow-whistle.dto';

export class BlowWhistleCommand {
  constructor(readonly actor: Actor, readonly body: BlowWhistleDto, readonly meta: RequestMeta) {}
}

@CommandHandler(BlowWhistleCommand)
export class BlowWhistleHandler implements ICommandHandler<BlowWhistleCommand, CommandOutcome> {
  constructor(
    private readonly cases: CaseCommands,
    @Inject(DIRECTORY) private readonly directory: Directory,
    @Inject(CATALOG) private readonly catalog: Catalog,
  ) {}

  execute({ actor, body, meta }: BlowWhistleCommand): Promise<CommandOutcome> {
    const { category, departmentIds } = this.fromCatalog(body);
    // Named departments must be real departments of the township's county.
    requireCountyDepartments(this.directory, actor.countyId, departmentIds.map((id, i) => ({ field: `departmentIds[${i}]`, id })));
    const caseId = randomUUID();
    const data = { ...body, category, departmentIds };
    return this.cases.execute(caseId, actor, meta, (now) => ({ type: 'BlowWhistle', caseId, actor, now, data }));
  }

  /** A whistle for a catalogue matter (吹哨清单) takes its category and, unless named, its departments. */
  private fromCatalog(body: BlowWhistleDto): { category: Category; departmentIds: string[] } {
    if (body.matterCode === undefined) return { category: body.category!, departmentIds: body.departmentIds! };
    const matter = this.catalog.get(body.matterCode);
    if (!matter) throw Problem.badRequest(`no matter ${body.matterCode} in the whistle catalogue`, [{ field: 'matterCode', message: 'not in the whistle catalogue' }]);
    if (body.category !== undefined && body.category !== matter.category) {
      throw Problem.badRequest(`matter ${matter.code} is ${matter.category}`, [{ field: 'category', message: `must be ${matter.category} for matter ${matter.code}, or left out` }]);
    }
    return { category: matter.category, departmentIds: body.departmentIds ?? [...matter.departmentIds] };
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
