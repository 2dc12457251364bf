import type { Actor, CaseCommand, CaseEvent, Category, Satisfaction } from '@chuishao/domain';
import { CaseRecorder, type RecorderOptions } from './recorder';
import { actorOf, systemOf, TEST_COUNTY } from './orgs';

/** 09:00 on Monday 2 March 2026 in Asia/Shanghai. */
export const T0 = Date.parse('2026-03-02T01:00:00.000Z');
export const COUNTY = TEST_COUNTY.countyId;
export const at = (minutes: number) => T0 + minutes * 60_000;
export const iso = (minutes: number) => new Date(at(minutes)).toISOString();
export const actor = (orgId: string, role: Actor['role']): Actor => actorOf(orgId, role, COUNTY);

/**
 * Hand-written histories for unit tests: each step a command at `minutes` after the base, through the
 * same recorder (decide()) as the random ones. A command the domain refuses throws its DomainError.
 */
export class Script extends CaseRecorder {
  constructor(
    private readonly base = T0,
    options: RecorderOptions = {},
  ) {
    super(options);
  }

  run(caseId: string, minutes: number, type: CaseCommand['type'], by: Actor, data: Record<string, unknown>, recordedLagMs = 0): CaseEvent[] {
    return this.runAt(caseId, this.base + minutes * 60_000, type, by, data, recordedLagMs);
  }

  runAt(caseId: string, now: number, type: CaseCommand['type'], by: Actor, data: Record<string, unknown>, recordedLagMs = 0): CaseEvent[] {
    // Hand-written histories are about what follows a command, not the county rule: every department they name
    // counts as one of the county's (the rule has its own specs in libs/domain).
    const named = [data.departmentIds, data.toDepartmentId, data.suggestedDepartmentId].flat().filter((d): d is string => typeof d === 'string');
    const facts = { countyDepartments: [...TEST_COUNTY.departments, ...named] };
    return this.record({ type, caseId, actor: by, now: new Date(now).toISOString(), data, facts } as CaseCommand, recordedLagMs).decided;
  }

  blow(caseId: string, minutes: number, departmentIds: string[], township = 'twp-a', category: Category = 'joint_enforcement', lag = 0) {
    return this.run(
      caseId,
      minutes,
      'BlowWhistle',
      actor(township, 'township'),
      {
        title: '河道排污',
        description: '东坝河段发现不明排污口',
        category,
        departmentIds,
        location: { address: '东坝镇河滨路12号' },
      },
      lag,
    );
  }
  respond(caseId: string, minutes: number, department: string, lag = 0) {
    return this.run(caseId, minutes, 'RespondToCase', actor(department, 'department'), {}, lag);
  }
  transfer(caseId: string, minutes: number, from: string, to: string, lag = 0) {
    return this.run(caseId, minutes, 'TransferCase', actor(from, 'department'), { toDepartmentId: to, reason: '非本部门职责' }, lag);
  }
  reassign(caseId: string, minutes: number, from: string, to: string, lag = 0) {
    return this.run(
      caseId,
      minutes,
      'ReassignPart',
      actor(TEST_COUNTY.commandCentreId, 'command_centre'),
      { fromDepartmentId: from, toDepartmentId: to, reason: '督办改派' },
      lag,
    );
  }
  complete(caseId: string, minutes: number, department: string, lag = 0) {
    return this.run(caseId, minutes, 'CompleteHandling', actor(department, 'department'), { result: '已处理' }, lag);
  }
  review(caseId: string, minutes: number, department: string, resolved: boolean, satisfaction: Satisfaction, township = 'twp-a', lag = 0) {
    return this.run(caseId, minutes, 'ReviewHandling', actor(township, 'township'), { departmentId: department, resolved, satisfaction }, lag);
  }
  withdraw(caseId: string, minutes: number, township = 'twp-a', lag = 0) {
    return this.run(caseId, minutes, 'WithdrawCase', actor(township, 'township'), { reason: '重复上报' }, lag);
  }
  // 延期, 退单/审定, 申诉
  extend(caseId: string, minutes: number, department: string, workingDays: number, lag = 0) {
    return this.run(caseId, minutes, 'RequestExtension', actor(department, 'department'), { reason: '等待检测报告', workingDays }, lag);
  }
  decideExtension(caseId: string, minutes: number, department: string, approved: boolean, workingDays?: number, lag = 0) {
    return this.run(
      caseId,
      minutes,
      'DecideExtension',
      actor(TEST_COUNTY.commandCentreId, 'command_centre'),
      { departmentId: department, approved, ...(workingDays === undefined ? {} : { workingDays }) },
      lag,
    );
  }
  returnPart(caseId: string, minutes: number, department: string, lag = 0) {
    return this.run(caseId, minutes, 'ReturnPart', actor(department, 'department'), { reason: '职能不符' }, lag);
  }
  decideReturn(caseId: string, minutes: number, department: string, upheld: boolean, to?: string, lag = 0) {
    return this.run(
      caseId,
      minutes,
      'DecideReturn',
      actor(TEST_COUNTY.commandCentreId, 'command_centre'),
      { departmentId: department, upheld, ...(to === undefined ? {} : { toDepartmentId: to }) },
      lag,
    );
  }
  appeal(caseId: string, minutes: number, department: string, lag = 0) {
    return this.run(caseId, minutes, 'AppealReview', actor(department, 'department'), { reason: '评价不公' }, lag);
  }
  decideAppeal(caseId: string, minutes: number, department: string, upheld: boolean, lag = 0) {
    return this.run(caseId, minutes, 'DecideAppeal', actor('assess-a', 'assessment_office'), { departmentId: department, upheld, note: '复核' }, lag);
  }
  check(caseId: string, minutes: number, lag = 0) {
    return this.run(caseId, minutes, 'CheckDeadlines', systemOf(COUNTY, 'watcher'), { commandCentreId: TEST_COUNTY.commandCentreId }, lag);
  }
}
