import { ApiProperty } from '@nestjs/swagger';

const COUNT = { type: 'integer', minimum: 0 } as const;
const RATE = {
  type: 'number',
  minimum: 0,
  maximum: 1,
  nullable: true,
  description: 'numerator / denominator, unrounded; null when the denominator is 0',
} as const;
const MINUTES = { type: 'number', nullable: true, description: 'Minutes of natural time, two decimals; null without responded parts' } as const;
const DATE = { type: String, format: 'date' } as const;
const RATE_NAMES = ['responseRate', 'completionRate', 'resolutionRate', 'satisfactionRate'];

/** One department's row (scoring.md): counts, the three rates, the composite score and the rank. */
export class ScorecardRow {
  @ApiProperty({ example: 'dept-ecology' }) departmentId!: string;
  @ApiProperty({ example: '市生态环境局青川分局' }) name!: string;
  @ApiProperty(COUNT) received!: number;
  @ApiProperty(COUNT) responded!: number;
  @ApiProperty(COUNT) respondedOnTime!: number;
  @ApiProperty(COUNT) responseDue!: number;
  @ApiProperty({ ...RATE, description: '响应率: respondedOnTime / responseDue' }) responseRate!: number | null;
  @ApiProperty(MINUTES) medianResponseMinutes!: number | null;
  @ApiProperty(MINUTES) p90ResponseMinutes!: number | null;
  @ApiProperty(COUNT) completionDue!: number;
  @ApiProperty(COUNT) completedOnTime!: number;
  @ApiProperty(RATE) completionRate!: number | null;
  @ApiProperty(COUNT) reviewed!: number;
  @ApiProperty(COUNT) resolved!: number;
  @ApiProperty({ ...RATE, description: '解决率: resolved / reviewed' }) resolutionRate!: number | null;
  @ApiProperty(COUNT) satisfied!: number;
  @ApiProperty(COUNT) basicallySatisfied!: number;
  @ApiProperty(COUNT) dissatisfied!: number;
  @ApiProperty({ ...RATE, description: '满意率' }) satisfactionRate!: number | null;
  @ApiProperty(COUNT) transfersOut!: number;
  @ApiProperty(COUNT) transfersIn!: number;
  @ApiProperty(COUNT) reopened!: number;
  @ApiProperty(COUNT) overdue!: number;
  @ApiProperty({ ...COUNT, description: '退单 upheld: misrouted parts, counted in nothing else from the decision on' }) returnsUpheld!: number;
  @ApiProperty({ ...COUNT, description: '退单 rejected by the command centre' }) returnsRejected!: number;
  @ApiProperty({ ...COUNT, description: '延期 approved' }) extensionsApproved!: number;
  @ApiProperty({ ...COUNT, description: '申诉 upheld: the appealed review is void from the decision on' }) appealsUpheld!: number;
  @ApiProperty({ ...COUNT, description: '申诉 rejected' }) appealsRejected!: number;
  @ApiProperty({ ...COUNT, description: '牵头: parts where the department leads' }) leadParts!: number;
  @ApiProperty({ type: 'number', nullable: true, description: '100 · Σ w·rate / Σ w over the defined rates, two decimals' }) compositeScore!: number | null;
  @ApiProperty({ type: 'integer', minimum: 1, nullable: true, description: '1, 2, 2, 4 on ties; null under the policy’s minimum of responseDue parts' })
  rank!: number | null;
}

class ScorecardHead {
  @ApiProperty({ ...DATE, description: 'First local date of the period [from, to)', example: '2026-11-01' }) from!: string;
  @ApiProperty({ ...DATE, description: 'The local date after the period', example: '2026-12-01' }) to!: string;
  @ApiProperty({ type: String, format: 'date-time', description: 'The instant described: only events recorded by then count' }) asOf!: string;
  @ApiProperty({ example: 'scoring-2026.1' }) policyVersion!: string;
  @ApiProperty({ example: 'county-qingchuan' }) countyId!: string;
}

export class Scorecard extends ScorecardHead {
  @ApiProperty({ type: [ScorecardRow], description: 'Every department of the county, ranked first' }) departments!: ScorecardRow[];
}

export class TrendPoint extends ScorecardRow {
  @ApiProperty({ example: '2026-11' }) month!: string;
  @ApiProperty(DATE) from!: string;
  @ApiProperty(DATE) to!: string;
}

export class DepartmentScorecard extends ScorecardHead {
  @ApiProperty({ type: ScorecardRow }) department!: ScorecardRow;
  @ApiProperty({ type: [TrendPoint], description: 'Month by month (months cut to the period), ranked within each month' }) trend!: TrendPoint[];
}

class ExplainedRound {
  @ApiProperty({ type: 'integer', minimum: 1 }) round!: number;
  @ApiProperty({ type: String, format: 'date-time' }) completionDueAt!: string;
  @ApiProperty({ type: String, format: 'date-time' }) openedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) completedAt!: string | null;
}

class ExplainedDeadlineChange {
  @ApiProperty({ enum: ['response', 'completion'] }) kind!: string;
  @ApiProperty({ type: 'integer', minimum: 1, description: 'The round whose completion deadline moved (1 for the response deadline)' }) round!: number;
  @ApiProperty({ type: String, format: 'date-time', description: 'The new due instant' }) dueAt!: string;
  @ApiProperty({ type: String, format: 'date-time', description: 'When the deadline moved (DeadlinesRebased, or an approved ExtensionDecided)' }) at!: string;
}

class ExplainedReview {
  @ApiProperty({ type: 'integer', minimum: 1 }) round!: number;
  @ApiProperty() resolved!: boolean;
  @ApiProperty({ enum: ['satisfied', 'basically_satisfied', 'dissatisfied'] }) satisfaction!: string;
  @ApiProperty({ type: String, format: 'date-time' }) reviewedAt!: string;
}

class ExplainedEnd {
  @ApiProperty({ enum: ['transferred', 'reassigned', 'closed', 'withdrawn', 'returned'], description: 'returned: a 退单 the command centre upheld' })
  kind!: string;
  @ApiProperty({ type: String, format: 'date-time' }) at!: string;
  @ApiProperty({ type: String, nullable: true }) toDepartmentId!: string | null;
}

class ExplainedExtension {
  @ApiProperty({ type: 'integer', minimum: 1 }) round!: number;
  @ApiProperty({ type: String, format: 'date-time', description: 'The new completion deadline' }) dueAt!: string;
  @ApiProperty({ type: String, format: 'date-time', description: 'When it was approved' }) at!: string;
}

class ExplainedAppeal {
  @ApiProperty({ type: 'integer', minimum: 1, description: 'The round of the contested review' }) round!: number;
  @ApiProperty() upheld!: boolean;
  @ApiProperty({ type: String, format: 'date-time', description: 'When it was decided' }) at!: string;
}

class ExplainedOverdue {
  @ApiProperty() response!: boolean;
  @ApiProperty() completion!: boolean;
}

class PartCounts {
  @ApiProperty(COUNT) received!: number;
  @ApiProperty(COUNT) responded!: number;
  @ApiProperty(COUNT) respondedOnTime!: number;
  @ApiProperty(COUNT) responseDue!: number;
  @ApiProperty(COUNT) completionDue!: number;
  @ApiProperty(COUNT) completedOnTime!: number;
  @ApiProperty(COUNT) reviewed!: number;
  @ApiProperty(COUNT) resolved!: number;
  @ApiProperty(COUNT) satisfied!: number;
  @ApiProperty(COUNT) basicallySatisfied!: number;
  @ApiProperty(COUNT) dissatisfied!: number;
  @ApiProperty(COUNT) transfersOut!: number;
  @ApiProperty(COUNT) transfersIn!: number;
  @ApiProperty({ ...COUNT, description: 'rework rounds' }) reopened!: number;
  @ApiProperty(COUNT) overdue!: number;
  @ApiProperty({ ...COUNT, description: '退单 upheld: misrouted parts, counted in nothing else from the decision on' }) returnsUpheld!: number;
  @ApiProperty({ ...COUNT, description: '退单 rejected by the command centre' }) returnsRejected!: number;
  @ApiProperty({ ...COUNT, description: '延期 approved' }) extensionsApproved!: number;
  @ApiProperty({ ...COUNT, description: '申诉 upheld: the appealed review is void from the decision on' }) appealsUpheld!: number;
  @ApiProperty({ ...COUNT, description: '申诉 rejected' }) appealsRejected!: number;
  @ApiProperty({ ...COUNT, description: '牵头: parts where the department leads' }) leadParts!: number;
}

/** One part counted on the row: the instants it was scored on and what it entered. */
export class ExplainedPart {
  @ApiProperty({ format: 'uuid' }) caseId!: string;
  @ApiProperty({ example: 'p1' }) partId!: string;
  @ApiProperty({ type: 'integer', minimum: 0, description: '0: from the whistle; n: after the n-th transfer or reassignment' }) holding!: number;
  @ApiProperty({ example: 'twp-dongba' }) townshipId!: string;
  @ApiProperty({ type: String, nullable: true, example: '东坝镇' }) townshipName!: string | null;
  @ApiProperty({ example: 'dept-ecology' }) departmentId!: string;
  @ApiProperty({ enum: ['whistle', 'transfer', 'reassignment', 'return'], description: 'return: reassigned by an upheld 退单 of fromDepartmentId' })
  receivedBy!: string;
  @ApiProperty({ description: '牵头: the lead department’s part' }) lead!: boolean;
  @ApiProperty({ type: String, nullable: true }) fromDepartmentId!: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) assignedAt!: string;
  @ApiProperty({ type: String, format: 'date-time' }) responseDueAt!: string;
  @ApiProperty({ type: String, format: 'date-time' }) completionDueAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) respondedAt!: string | null;
  @ApiProperty({ enum: ['report_in', 'transfer'], nullable: true }) responseKind!: string | null;
  @ApiProperty(MINUTES) responseMinutes!: number | null;
  @ApiProperty({ type: [ExplainedRound] }) rounds!: ExplainedRound[];
  @ApiProperty({
    type: [ExplainedDeadlineChange],
    description: 'Deadlines re-based after they were set, known at asOf; the due instants above are those in force at asOf',
  })
  deadlineChanges!: ExplainedDeadlineChange[];
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) firstCompletedAt!: string | null;
  @ApiProperty({ type: ExplainedReview, nullable: true }) latestReview!: ExplainedReview | null;
  @ApiProperty({ type: 'integer', minimum: 0 }) reviews!: number;
  @ApiProperty({ type: ExplainedEnd, nullable: true }) ended!: ExplainedEnd | null;
  @ApiProperty({ type: [ExplainedExtension], description: '延期 approved, known at asOf (also listed in deadlineChanges)' }) extensions!: ExplainedExtension[];
  @ApiProperty({ type: String, format: 'date-time', isArray: true, description: '退单 rejected, known at asOf' }) returnsRejectedAt!: string[];
  @ApiProperty({ type: [ExplainedAppeal], description: '申诉 decided, known at asOf' }) appeals!: ExplainedAppeal[];
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the clocks stopped before asOf (reassigned away, withdrawn)' })
  clocksStoppedAt!: string | null;
  @ApiProperty({ type: ExplainedOverdue }) overdue!: ExplainedOverdue;
  @ApiProperty({ type: PartCounts, description: 'What this part adds to each count of the row' }) counts!: PartCounts;
  @ApiProperty({ enum: RATE_NAMES, isArray: true }) numerators!: string[];
  @ApiProperty({ enum: RATE_NAMES, isArray: true }) denominators!: string[];
}

export class ScorecardExplanation extends ScorecardHead {
  @ApiProperty({ type: ScorecardRow, description: 'Every count in it is the sum of parts[].counts' }) department!: ScorecardRow;
  @ApiProperty({ type: [ExplainedPart] }) parts!: ExplainedPart[];
}
