import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';

/** Chinese first; English for visiting staff and reviewers. Missing English falls back to the Chinese text. */
export type Lang = 'zh' | 'en';

const EN: Record<string, string> = {
  吹哨报到: 'Whistle & Report-in',
  青川县: 'Qingchuan County',
  登录: 'Sign in',
  退出: 'Sign out',
  机构: 'Organisation',
  用户: 'User ID',
  以政务身份登录: 'Sign in with the county identity provider',
  开发环境登录: 'Development sign-in',
  乡镇街道: 'Township / street',
  职能部门: 'Department',
  综合指挥中心: 'Command centre',
  考核办: 'Assessment office',
  吹哨: 'Blow the whistle',
  我的吹哨: 'My whistles',
  待办: 'Inbox',
  督办看板: 'Oversight board',
  考核: 'Scorecards',
  案件: 'Case',
  标题: 'Title',
  问题描述: 'Description',
  事项类别: 'Category',
  清单事项: 'Catalogue matter',
  领域: 'Area',
  自由选择部门: 'Choose departments freely',
  按清单吹哨: 'From the catalogue',
  吹哨方式: 'How',
  责任部门: 'Departments',
  地址: 'Address',
  网格: 'Grid',
  来源编号: 'Source reference',
  提交: 'Submit',
  状态: 'Status',
  搜索: 'Search',
  仅逾期: 'Overdue only',
  全部: 'All',
  发起时间: 'Raised',
  部门: 'Department',
  报到期限: 'Report-in due',
  办结期限: 'Completion due',
  报到: 'Report in',
  转办: 'Transfer',
  办结: 'Complete',
  办理结果: 'Result',
  转办理由: 'Reason for transfer',
  转至部门: 'To department',
  一事一评: 'Review',
  是否解决: 'Resolved?',
  满意度: 'Satisfaction',
  评价意见: 'Comment',
  撤回: 'Withdraw',
  撤回理由: 'Reason for withdrawal',
  全程留痕: 'Timeline',
  督办: 'Urge',
  改派: 'Reassign',
  督办意见: 'Note',
  改派理由: 'Reason',
  确定: 'OK',
  取消: 'Cancel',
  备注: 'Note',
  逾期: 'Overdue',
  已逾期: 'Overdue by',
  剩余: 'Left',
  工作时间: 'working time',
  自然时间: 'natural time',
  提醒: 'Reminded',
  催办: 'Overdue',
  按乡镇: 'By township',
  按部门: 'By department',
  逾期与督办: 'Overdue and escalated',
  在某时刻逾期: 'Overdue at an instant',
  时刻: 'Instant',
  月: 'Month',
  季: 'Quarter',
  年: 'Year',
  周期: 'Period',
  截至: 'As of',
  查询: 'Query',
  排名: 'Rank',
  响应率: 'Response rate',
  解决率: 'Resolution rate',
  满意率: 'Satisfaction rate',
  综合得分: 'Composite',
  未排名: 'Unranked',
  明细: 'Explain',
  协调记录: 'Notes',
  暂无协调记录: 'No notes yet',
  记录内容: 'Note',
  照片: 'Photos',
  上传照片: 'Upload photo',
  添加记录: 'Add note',
  下载CSV: 'Download CSV',
  '下载CSV（中文）': 'Download CSV (Chinese)',
  下载Excel: 'Download XLSX',
  排名图: 'Ranking',
  趋势: 'Trend',
  收件数: 'Received',
  打开: 'Open',
  刷新: 'Refresh',
  操作: 'Actions',
  无: 'None',
  保存成功: 'Done',
  语言: 'Language',
  第几轮: 'Round',
};

interface I18n {
  lang: Lang;
  setLang(lang: Lang): void;
  t(zh: string): string;
}

const Ctx = createContext<I18n>({ lang: 'zh', setLang: () => {}, t: (s) => s });

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(() => (localStorage.getItem('lang') === 'en' ? 'en' : 'zh'));
  const value = useMemo<I18n>(
    () => ({
      lang,
      setLang(next) {
        localStorage.setItem('lang', next);
        document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
        setLangState(next);
      },
      t: (zh) => (lang === 'en' ? (EN[zh] ?? zh) : zh),
    }),
    [lang],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export const useI18n = () => useContext(Ctx);
