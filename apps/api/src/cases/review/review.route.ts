import { Body, Controller, HttpCode, Param, Post, Res } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Response } from 'express';
import { IsBoolean, IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { SATISFACTIONS, type Actor, type Satisfaction } from '@chuishao/domain';
import { CurrentActor } from '../../auth/auth.guard';
import { Meta, type RequestMeta } from '../../http/request-meta';
import { CaseCommands, type CommandOutcome } from '../case-commands';
import { CaseIdPipe } from '../case-id.pipe';
import { sendCase } from '../send-case';

export class ReviewDto {
  @IsString() @IsNotEmpty() @MaxLength(64) departmentId!: string;
  @IsBoolean() resolved!: boolean;
  @IsIn(SATISFACTIONS) satisfaction!: Satisfaction;
  @IsOptional() @IsString() @MaxLength(2000) comment?: string;
}

export class ReviewCommand {
  constructor(readonly caseId: string, readonly actor: Actor, readonly body: ReviewDto, readonly meta: RequestMeta) {}
}

@CommandHandler(ReviewCommand)
export class ReviewHandler implements ICommandHandler<ReviewCommand, CommandOutcome> {
  constructor(private readonly cases: CaseCommands) {}
  execute({ caseId, actor, body, meta }: ReviewCommand) {
    return this.cases.execute(caseId, actor, meta, (now) => ({ type: 'ReviewHandling', caseId, actor, now, data: { ...body } }));
  }
}

@Controller('v1/cases/:caseId/reviews')
export class ReviewRoute {
  constructor(private readonly commands: CommandBus) {}

  /** 一事一评: the raising township reviews one department's completed part; unresolved sends it back. */
  @Post()
  @HttpCode(200)
  async review(@Param('caseId', CaseIdPipe) caseId: string, @CurrentActor() actor: Actor, @Body() body: ReviewDto, @Meta() meta: RequestMeta, @Res({ passthrough: true }) res: Response) {
    return sendCase(res, await this.commands.execute<ReviewCommand, CommandOutcome>(new ReviewCommand(caseId, actor, body, meta)));
  }
}
