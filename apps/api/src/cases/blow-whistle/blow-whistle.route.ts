import { randomUUID } from 'node:crypto';
import { Body, Controller, HttpCode, Inject, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { CaseCommandHandler } from '@chuishao/commands';
import type { Actor, Category } from '@chuishao/domain';
import type { Catalog } from '@chuishao/catalog';
import type { Directory } from '@chuishao/directory';
import { CurrentActor } from '../../auth/auth.guard';
import { Problem } from '../../http/problem';
import { commandOptions, Meta, type RequestMeta } from '../../http/request-meta';
import { CATALOG, COMMAND_HANDLER, DIRECTORY } from '../../tokens';
import { directoryFacts } from '../directory-facts';
import { sendCase } from '../send-case';
import { BlowWhistleDto } from './blow-whistle.dto';

@Controller('v1/whistles')
export class BlowWhistleRoute {
  constructor(
    @Inject(COMMAND_HANDLER) private readonly handle: CaseCommandHandler,
    @Inject(DIRECTORY) private readonly directory: Directory,
    @Inject(CATALOG) private readonly catalog: Catalog,
  ) {}

  /** 吹哨: a township raises a case to one or more departments. */
  @Post()
  @HttpCode(201)
  async blow(@CurrentActor() actor: Actor, @Body() body: BlowWhistleDto, @Meta() meta: RequestMeta, @Res({ passthrough: true }) res: Response) {
    const { category, departmentIds } = this.fromCatalog(body);
    const { title, description, location, matterCode, sourceRef, leadDepartmentId } = body;
    const data = {
      title,
      description,
      category,
      departmentIds,
      location,
      matterCode,
      sourceRef,
      ...(leadDepartmentId === undefined ? {} : { leadDepartmentId }),
    };
    const facts = directoryFacts(this.directory, actor.countyId);
    const caseId = randomUUID();
    const outcome = await this.handle(caseId, (now) => ({ type: 'BlowWhistle', caseId, actor, now, data, facts }), commandOptions(meta));
    res.setHeader('Location', `/v1/cases/${outcome.view.caseId}`);
    return sendCase(res, outcome);
  }

  /** A whistle for a catalogue matter (吹哨清单) takes its category and, unless named, its departments. */
  private fromCatalog(body: BlowWhistleDto): { category: Category; departmentIds: string[] } {
    if (body.matterCode === undefined) return { category: body.category!, departmentIds: body.departmentIds! };
    const matter = this.catalog.get(body.matterCode);
    if (!matter)
      throw Problem.badRequest(`no matter ${body.matterCode} in the whistle catalogue`, [{ field: 'matterCode', message: 'not in the whistle catalogue' }]);
    if (body.category !== undefined && body.category !== matter.category) {
      throw Problem.badRequest(`matter ${matter.code} is ${matter.category}`, [
        { field: 'category', message: `must be ${matter.category} for matter ${matter.code}, or left out` },
      ]);
    }
    return { category: matter.category, departmentIds: body.departmentIds ?? [...matter.departmentIds] };
  }
}
