import { ApiProperty } from '@nestjs/swagger';
import { TimeLimitView } from './case.schemas';

const WEIGHT = { type: 'integer', minimum: 0, maximum: 100 } as const;

export class PolicyWeightsView {
  @ApiProperty({ ...WEIGHT, description: '响应率 weight', example: 30 }) wR!: number;
  @ApiProperty({ ...WEIGHT, description: '解决率 weight', example: 35 }) wS!: number;
  @ApiProperty({ ...WEIGHT, description: '满意率 weight', example: 35 }) wF!: number;
}

export class WorkflowLimitsView {
  @ApiProperty({ type: 'integer', minimum: 0, description: '延期: approved extensions allowed per part', example: 2 }) maxExtensions!: number;
  @ApiProperty({ type: TimeLimitView, description: '申诉: how long after a review the department may appeal it' }) appealWindow!: TimeLimitView;
  @ApiProperty({ type: TimeLimitView, description: '退单: how long the command centre has to decide a return' }) returnDecision!: TimeLimitView;
}

export class PolicyVersionView {
  @ApiProperty({ example: 'scoring-2026.1' }) version!: string;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'In force from this instant until the next version’s; null: a what-if, never in force, only named for a re-score (scorecards’ `policy`)',
  })
  effectiveFrom!: string | null;
  @ApiProperty({ description: 'The version in force now' }) inForce!: boolean;
  @ApiProperty({ type: PolicyWeightsView, description: 'Integers summing to 100' }) weights!: PolicyWeightsView;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Departments with fewer responseDue parts are listed unranked', example: 5 })
  minRankedParts!: number;
  @ApiProperty({ type: WorkflowLimitsView }) limits!: WorkflowLimitsView;
  @ApiProperty({ type: String, nullable: true, description: 'What the version is for' }) notes!: string | null;
}

export class PolicyList {
  @ApiProperty({ description: 'The version in force now: scorecards use it unless `policy` names another', example: 'scoring-2026.1' }) inForce!: string;
  @ApiProperty({ type: [PolicyVersionView], description: 'Ordered by effectiveFrom; the what-ifs last' }) versions!: PolicyVersionView[];
}
