import type { Lang } from './i18n';

type Label = [zh: string, en: string];
const pick = (lang: Lang, l: Label | undefined, fallback: string) => (l ? l[lang === 'zh' ? 0 : 1] : fallback);

const CASE_STATUS: Record<string, Label> = { open: ['办理中', 'Open'], closed: ['已结案', 'Closed'], withdrawn: ['已撤回', 'Withdrawn'] };
const PART_STATUS: Record<string, Label> = {
  awaiting_response: ['待报到', 'Awaiting report-in'],
  in_progress: ['办理中', 'In progress'],
  completed: ['已办结待评价', 'Completed, awaiting review'],
  closed: ['已关闭', 'Closed'],
};
const CATEGORY: Record<string, Label> = {
  joint_enforcement: ['联合执法', 'Joint enforcement'],
  key_task: ['重点工作', 'Key task'],
  emergency: ['应急处置', 'Emergency'],
  resident_request: ['群众诉求', 'Resident request'],
};
const SATISFACTION: Record<string, Label> = {
  satisfied: ['满意', 'Satisfied'],
  basically_satisfied: ['基本满意', 'Basically satisfied'],
  dissatisfied: ['不满意', 'Dissatisfied'],
};
const ALERT: Record<string, Label> = {
  none: ['正常', 'On time'],
  reminded: ['提醒', 'Reminded'],
  overdue: ['催办', 'Overdue'],
  escalated: ['督办', 'Escalated'],
};
const ROLE: Record<string, Label> = {
  township: ['乡镇街道', 'Township'],
  department: ['职能部门', 'Department'],
  command_centre: ['综合指挥中心', 'Command centre'],
  assessment_office: ['考核办', 'Assessment office'],
  system: ['系统', 'System'],
};
const AREA: Record<string, Label> = {
  urban_management: ['城市管理', 'Urban management'],
  market_supervision: ['市场监管', 'Market supervision'],
  ecology_environment: ['生态环境', 'Ecology and environment'],
  natural_resources: ['自然资源', 'Natural resources'],
  housing_construction: ['住房建设', 'Housing and construction'],
  transport: ['交通运输', 'Transport'],
  agriculture: ['农业农村', 'Agriculture'],
  emergency_management: ['应急管理', 'Emergency management'],
  public_security: ['公共安全', 'Public security'],
  water: ['水利', 'Water'],
};
/** The moves a case can await (GET /v1/cases?pending=…), as the case page's part tags name them. */
const PENDING: Record<string, Label> = {
  extension: ['待审批延期', 'Extension pending'],
  return: ['待审定退单', 'Return pending'],
  appeal: ['申诉中', 'Under appeal'],
};
const UNRANKED: Label = ['应报到件数不足，不参与排名', 'Too few parts due to report in to be ranked'];

export const CATEGORIES = Object.keys(CATEGORY);
export const SATISFACTIONS = Object.keys(SATISFACTION);
export const AREAS = Object.keys(AREA);
export const PENDING_MOVES = ['extension', 'return', 'appeal'] as const;
export type PendingMove = (typeof PENDING_MOVES)[number];
/** The pending moves' tag colour (the 提醒 amber; white text at WCAG AA contrast). */
export const PENDING_COLOR = '#874d00';

export const labels = (lang: Lang) => ({
  caseStatus: (s: string) => pick(lang, CASE_STATUS[s], s),
  partStatus: (s: string) => pick(lang, PART_STATUS[s], s),
  category: (s: string) => pick(lang, CATEGORY[s], s),
  satisfaction: (s: string) => pick(lang, SATISFACTION[s], s),
  alert: (s: string) => pick(lang, ALERT[s], s),
  role: (s: string) => pick(lang, ROLE[s], s),
  area: (s: string) => pick(lang, AREA[s], s),
  pending: (s: string) => pick(lang, PENDING[s], s),
  unranked: pick(lang, UNRANKED, ''),
});

/** The highest rung the watcher reached on a part's running clock. */
export function alertOf(part: { status: string; responseAlert: string; completionAlert: string }): string {
  if (part.status === 'awaiting_response') return part.responseAlert;
  if (part.status === 'in_progress') return part.completionAlert;
  return 'none';
}

// Solid tags (white text) dark enough for WCAG AA contrast.
export const ALERT_COLOR: Record<string, string> = { none: '#237804', reminded: '#874d00', overdue: '#ad2102', escalated: '#a8071a' };
