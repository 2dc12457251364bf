import { Alert, App, Button, Card, Descriptions, Empty, Form, Input, InputNumber, Modal, Radio, Select, Space, Switch, Tag, Timeline, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { ApiError, api, must, type CaseEvent, type CaseView, type PartView } from '../api/client';
import { Deadline } from '../components/Deadline';
import { EvidenceList, EvidenceUpload, type AttachmentRef } from '../components/Evidence';
import { useI18n, type Lang } from '../i18n';
import { ALERT_COLOR, SATISFACTIONS, alertOf, labels } from '../labels';
import { useSession } from '../session';
import { formatInstant } from '../time';

type Action =
  | { kind: 'respond'; part: PartView }
  | { kind: 'transfer'; part: PartView }
  | { kind: 'complete'; part: PartView }
  | { kind: 'review'; part: PartView }
  | { kind: 'urge'; part: PartView }
  | { kind: 'reassign'; part: PartView }
  | { kind: 'extend'; part: PartView }
  | { kind: 'decideExtension'; part: PartView }
  | { kind: 'return'; part: PartView }
  | { kind: 'decideReturn'; part: PartView }
  | { kind: 'appeal'; part: PartView }
  | { kind: 'decideAppeal'; part: PartView }
  | { kind: 'withdraw' };

/** One event of 全程留痕 as a sentence (Chinese first). */
function describe(e: CaseEvent, name: (id: string) => string, lang: Lang): string {
  const l = labels(lang);
  const zh = lang === 'zh';
  const d = e.data as Record<string, unknown> & { departmentId?: string; round?: number };
  const dept = d.departmentId ? name(d.departmentId) : '';
  const clock = (k: unknown) =>
    k === 'response' ? (zh ? '报到' : 'report-in') : k === 'return_decision' ? (zh ? '退单审定' : 'return decision') : zh ? '办结' : 'completion';
  switch (e.type) {
    case 'WhistleBlown':
      return zh
        ? `吹哨「${e.data.title}」，派至 ${e.data.parts.map((p) => name(p.departmentId)).join('、')}（${l.category(e.data.category)}）`
        : `Whistle "${e.data.title}" to ${e.data.parts.map((p) => name(p.departmentId)).join(', ')}`;
    case 'DepartmentResponded':
      return zh ? `${dept} 报到${e.data.note ? `：${e.data.note}` : ''}` : `${dept} reported in${e.data.note ? `: ${e.data.note}` : ''}`;
    case 'CaseTransferred':
      return zh
        ? `${name(e.data.fromDepartmentId)} 转办至 ${name(e.data.toDepartmentId)}：${e.data.reason}`
        : `${name(e.data.fromDepartmentId)} transferred to ${name(e.data.toDepartmentId)}: ${e.data.reason}`;
    case 'HandlingCompleted':
      return zh ? `${dept} 办结（第${e.data.round}轮）：${e.data.result}` : `${dept} completed (round ${e.data.round}): ${e.data.result}`;
    case 'ReviewCompleted':
      return zh
        ? `一事一评 ${dept}：${e.data.resolved ? '已解决' : '未解决'}，${l.satisfaction(e.data.satisfaction)}${e.data.comment ? `，${e.data.comment}` : ''}`
        : `Review of ${dept}: ${e.data.resolved ? 'resolved' : 'not resolved'}, ${l.satisfaction(e.data.satisfaction)}`;
    case 'CaseReopened':
      return zh
        ? `${dept} 退回重办，第${e.data.round}轮，办结期限 ${formatInstant(e.data.completionDueAt)}`
        : `${dept} sent back for rework, round ${e.data.round}`;
    case 'PartClosed':
      return zh ? `${dept} 部分关闭（${e.data.outcome === 'resolved' ? '已解决' : '未解决'}）` : `${dept} part closed (${e.data.outcome})`;
    case 'PartReassigned':
      return zh
        ? `指挥中心改派：${name(e.data.fromDepartmentId)} → ${name(e.data.toDepartmentId)}：${e.data.reason}`
        : `Reassigned by the command centre: ${name(e.data.fromDepartmentId)} → ${name(e.data.toDepartmentId)}: ${e.data.reason}`;
    case 'DeadlineReminderSent':
      // The decision on a return is the command centre's to make: the reminder is addressed to it.
      if (e.data.deadline === 'return_decision')
        return zh
          ? `提醒指挥中心：${dept} 的退单审定将于 ${formatInstant(e.data.dueAt)} 到期`
          : `Reminder to the command centre: the decision on ${dept}'s return is due ${formatInstant(e.data.dueAt)}`;
      return zh
        ? `提醒 ${dept}：${clock(e.data.deadline)}将于 ${formatInstant(e.data.dueAt)} 到期`
        : `Reminder to ${dept}: ${clock(e.data.deadline)} due ${formatInstant(e.data.dueAt)}`;
    case 'ResponseOverdue':
      return zh ? `催办 ${dept}：报到已逾期（期限 ${formatInstant(e.data.dueAt)}）` : `${dept}: report-in overdue`;
    case 'CompletionOverdue':
      return zh ? `催办 ${dept}：办结已逾期（期限 ${formatInstant(e.data.dueAt)}）` : `${dept}: completion overdue`;
    case 'CaseEscalated':
      return zh ? `督办：${dept} ${clock(e.data.deadline)}逾期，上报${name(e.data.commandCentreId)}` : `Escalated: ${dept} ${clock(e.data.deadline)} overdue`;
    case 'DepartmentUrged':
      return zh ? `指挥中心督办 ${dept}：${e.data.note}` : `Command centre urged ${dept}: ${e.data.note}`;
    case 'DeadlinesRebased':
      return zh ? `按新的工作日历重算 ${e.data.parts.length} 个部分的期限` : `Deadlines re-based for ${e.data.parts.length} part(s)`;
    case 'CaseWithdrawn':
      return zh ? `撤回：${e.data.reason}` : `Withdrawn: ${e.data.reason}`;
    case 'ExtensionRequested':
      return zh
        ? `${dept} 申请延期 ${e.data.workingDays} 个工作日：${e.data.reason}`
        : `${dept} asked for ${e.data.workingDays} more working day(s): ${e.data.reason}`;
    case 'ExtensionDecided':
      return e.data.approved
        ? zh
          ? `指挥中心同意 ${dept} 延期 ${e.data.workingDays} 个工作日${e.data.completionDueAt ? `，办结期限 ${formatInstant(e.data.completionDueAt)}` : ''}${e.data.note ? `：${e.data.note}` : ''}`
          : `Extension of ${e.data.workingDays} working day(s) approved for ${dept}`
        : zh
          ? `指挥中心不同意 ${dept} 延期${e.data.note ? `：${e.data.note}` : ''}`
          : `Extension refused for ${dept}`;
    case 'PartReturned':
      return zh ? `${dept} 退单：${e.data.reason}` : `${dept} returned the part: ${e.data.reason}`;
    case 'ReturnDecided':
      return e.data.upheld
        ? zh
          ? `指挥中心审定退单成立，${dept} → ${e.data.toDepartmentId ? name(e.data.toDepartmentId) : ''}${e.data.note ? `：${e.data.note}` : ''}`
          : `Return upheld: ${dept} → ${e.data.toDepartmentId ? name(e.data.toDepartmentId) : ''}`
        : zh
          ? `指挥中心审定退单不成立，退回 ${dept}${e.data.note ? `：${e.data.note}` : ''}`
          : `Return rejected: back to ${dept}`;
    case 'ReviewAppealed':
      return zh ? `${dept} 申诉第${e.data.round}轮评价：${e.data.reason}` : `${dept} appealed the round ${e.data.round} review: ${e.data.reason}`;
    case 'AppealDecided':
      return zh
        ? `考核办裁定 ${dept} 申诉${e.data.upheld ? '成立' : '不成立'}：${e.data.note}`
        : `Appeal of ${dept} ${e.data.upheld ? 'upheld' : 'rejected'}: ${e.data.note}`;
    case 'NoteAdded':
      return zh ? `协调记录：${e.data.text}` : `Note: ${e.data.text}`;
    case 'CaseClosed':
      return zh
        ? `结案（已解决 ${e.data.resolvedParts}，未解决 ${e.data.unresolvedParts}）`
        : `Closed (${e.data.resolvedParts} resolved, ${e.data.unresolvedParts} unresolved)`;
    default:
      return (e as { type: string }).type;
  }
}

export default function CasePage({ caseId }: { caseId: string }) {
  const { t, lang } = useI18n();
  const { session, orgs, orgName } = useSession();
  const { message } = App.useApp();
  const l = labels(lang);
  const [view, setView] = useState<CaseView | null>(null);
  const [events, setEvents] = useState<CaseEvent[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [action, setAction] = useState<Action | null>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm();
  const [noteForm] = Form.useForm();
  const [noting, setNoting] = useState(false);
  const [uploading, setUploading] = useState(false);

  const load = useCallback(async () => {
    try {
      const path = { caseId };
      const [c, ev] = await Promise.all([
        must(api.GET('/v1/cases/{caseId}', { params: { path } })),
        must(api.GET('/v1/cases/{caseId}/events', { params: { path } })),
      ]);
      setView(c);
      setEvents(ev);
      setError(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }, [caseId]);
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), 5000);
    return () => clearInterval(timer);
  }, [load]);

  if (error && !view) return <Alert type="error" title={error} />;
  if (!view) return <Card loading />;
  const role = session!.role;
  const open = view.status === 'open';
  const departments = orgs.filter((o) => o.type === 'department');

  function actionsFor(p: PartView) {
    const out: { label: string; act: Action; primary?: boolean }[] = [];
    const mine = role === 'department' && p.departmentId === session!.orgId;
    // One appeal per review: once its round was appealed (open or decided), the API would refuse another.
    const appealable = p.review && !p.openAppeal && !p.appeals.some((a) => a.round === p.review?.round);
    if (mine && appealable) out.push({ label: '申诉', act: { kind: 'appeal', part: p } });
    if (role === 'assessment_office' && p.openAppeal) out.push({ label: '申诉裁定', act: { kind: 'decideAppeal', part: p }, primary: true });
    if (!open || p.status === 'closed') return out;
    if (mine && !p.pendingReturn && !p.pendingExtension && p.status === 'in_progress') out.push({ label: '申请延期', act: { kind: 'extend', part: p } });
    if (mine && !p.pendingReturn && (p.status === 'awaiting_response' || p.status === 'in_progress'))
      out.push({ label: '退单', act: { kind: 'return', part: p } });
    if (role === 'command_centre' && p.pendingExtension) out.push({ label: '审批延期', act: { kind: 'decideExtension', part: p }, primary: true });
    if (role === 'command_centre' && p.pendingReturn) out.push({ label: '审定退单', act: { kind: 'decideReturn', part: p }, primary: true });
    if (role === 'department' && p.departmentId === session!.orgId) {
      if (p.status === 'awaiting_response') out.push({ label: '报到', act: { kind: 'respond', part: p }, primary: true });
      if (p.status === 'in_progress') out.push({ label: '办结', act: { kind: 'complete', part: p }, primary: true });
      if (p.status === 'awaiting_response' || p.status === 'in_progress') out.push({ label: '转办', act: { kind: 'transfer', part: p } });
    }
    if (role === 'township' && p.status === 'completed') out.push({ label: '一事一评', act: { kind: 'review', part: p }, primary: true });
    if (role === 'command_centre') {
      out.push({ label: '督办', act: { kind: 'urge', part: p }, primary: true });
      if (p.status !== 'completed') out.push({ label: '改派', act: { kind: 'reassign', part: p } });
    }
    return out;
  }

  async function submit(values: Record<string, unknown>) {
    if (!action) return;
    const path = { caseId };
    // The photos of a dialog that takes them (办结, 申请延期, 退单, 申诉): sent only when there are some.
    const ids = (values.attachmentIds as string[] | undefined) ?? [];
    const evidence = ids.length ? { attachmentIds: ids } : {};
    setBusy(true);
    try {
      if (action.kind === 'respond')
        await must(api.POST('/v1/cases/{caseId}/responses', { params: { path }, body: values.note ? { note: String(values.note) } : {} }));
      if (action.kind === 'transfer')
        await must(
          api.POST('/v1/cases/{caseId}/transfers', {
            params: { path },
            body: { toDepartmentId: String(values.toDepartmentId ?? ''), reason: String(values.reason ?? '') },
          }),
        );
      if (action.kind === 'complete')
        await must(api.POST('/v1/cases/{caseId}/completions', { params: { path }, body: { result: String(values.result ?? ''), ...evidence } }));
      if (action.kind === 'review')
        await must(
          api.POST('/v1/cases/{caseId}/reviews', {
            params: { path },
            body: {
              departmentId: action.part.departmentId,
              resolved: Boolean(values.resolved),
              satisfaction: values.satisfaction as 'satisfied',
              ...(values.comment ? { comment: String(values.comment) } : {}),
            },
          }),
        );
      if (action.kind === 'urge')
        await must(
          api.POST('/v1/cases/{caseId}/urges', { params: { path }, body: { departmentId: action.part.departmentId, note: String(values.note ?? '') } }),
        );
      if (action.kind === 'reassign')
        await must(
          api.POST('/v1/cases/{caseId}/reassignments', {
            params: { path },
            body: { fromDepartmentId: action.part.departmentId, toDepartmentId: String(values.toDepartmentId ?? ''), reason: String(values.reason ?? '') },
          }),
        );
      if (action.kind === 'extend')
        await must(
          api.POST('/v1/cases/{caseId}/extension-requests', {
            params: { path },
            body: { reason: String(values.reason ?? ''), workingDays: Number(values.workingDays), ...evidence },
          }),
        );
      if (action.kind === 'decideExtension')
        await must(
          api.POST('/v1/cases/{caseId}/extension-decisions', {
            params: { path },
            body: {
              departmentId: action.part.departmentId,
              approved: Boolean(values.approved),
              ...(values.approved && values.workingDays ? { workingDays: Number(values.workingDays) } : {}),
              ...(values.note ? { note: String(values.note) } : {}),
            },
          }),
        );
      if (action.kind === 'return')
        await must(
          api.POST('/v1/cases/{caseId}/returns', {
            params: { path },
            body: {
              reason: String(values.reason ?? ''),
              ...(values.suggestedDepartmentId ? { suggestedDepartmentId: String(values.suggestedDepartmentId) } : {}),
              ...evidence,
            },
          }),
        );
      if (action.kind === 'decideReturn')
        await must(
          api.POST('/v1/cases/{caseId}/return-decisions', {
            params: { path },
            body: {
              departmentId: action.part.departmentId,
              upheld: Boolean(values.upheld),
              ...(values.upheld && values.toDepartmentId ? { toDepartmentId: String(values.toDepartmentId) } : {}),
              ...(values.note ? { note: String(values.note) } : {}),
            },
          }),
        );
      if (action.kind === 'appeal')
        await must(api.POST('/v1/cases/{caseId}/appeals', { params: { path }, body: { reason: String(values.reason ?? ''), ...evidence } }));
      if (action.kind === 'decideAppeal')
        await must(
          api.POST('/v1/cases/{caseId}/appeal-decisions', {
            params: { path },
            body: { departmentId: action.part.departmentId, upheld: Boolean(values.upheld), note: String(values.note ?? '') },
          }),
        );
      if (action.kind === 'withdraw')
        await must(api.POST('/v1/cases/{caseId}/withdrawal', { params: { path }, body: { reason: String(values.reason ?? '') } }));
      message.success(t('保存成功'));
      setAction(null);
      form.resetFields();
      await load();
    } catch (e) {
      if (e instanceof ApiError && e.fields.length) form.setFields(e.fields.map((f) => ({ name: f.name as never, errors: f.errors })));
      else message.error(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  async function addNote(values: { text?: string; attachmentIds?: string[] }) {
    setNoting(true);
    try {
      const ids = values.attachmentIds ?? [];
      await must(
        api.POST('/v1/cases/{caseId}/notes', {
          params: { path: { caseId } },
          body: { text: String(values.text ?? ''), ...(ids.length ? { attachmentIds: ids } : {}) },
        }),
      );
      message.success(t('保存成功'));
      noteForm.resetFields();
      await load();
    } catch (e) {
      if (e instanceof ApiError && e.fields.length) noteForm.setFields(e.fields.map((f) => ({ name: f.name as never, errors: f.errors })));
      else message.error(e instanceof Error ? e.message : String(e));
    } finally {
      setNoting(false);
    }
  }
  const notes = events.filter((e) => e.type === 'NoteAdded');
  const canNote = open && role !== 'assessment_office';
  const filesOf = (e: CaseEvent) => (e.data as { attachments?: AttachmentRef[] }).attachments;
  /** The files of the request a decision answers: the part's latest request of that kind (the decider sees the evidence). */
  const requestFiles = (type: 'ExtensionRequested' | 'PartReturned' | 'ReviewAppealed', part: PartView) => {
    const request = events.findLast((e) => e.type === type && e.data.departmentId === part.departmentId);
    return request ? filesOf(request) : undefined;
  };
  // The same photo upload on every dialog that files evidence (one shown at a time).
  const evidenceField = (
    <Form.Item name="attachmentIds" label={t('照片')}>
      <EvidenceUpload onBusy={setUploading} />
    </Form.Item>
  );

  const titles: Record<Action['kind'], string> = {
    respond: '报到',
    transfer: '转办',
    complete: '办结',
    review: '一事一评',
    urge: '督办',
    reassign: '改派',
    extend: '申请延期',
    decideExtension: '审批延期',
    return: '退单',
    decideReturn: '审定退单',
    appeal: '申诉',
    decideAppeal: '申诉裁定',
    withdraw: '撤回',
  };
  const otherDepartments = (p?: PartView) =>
    departments
      .filter((d) => !view.parts.some((q) => q.departmentId === d.id && q.status !== 'closed') && d.id !== p?.departmentId)
      .map((d) => ({ value: d.id, label: d.name }));

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Card
        title={
          <span data-testid="case-title">
            {view.title} <Tag data-testid="case-status">{l.caseStatus(view.status)}</Tag>
          </span>
        }
        extra={
          role === 'township' && open ? (
            <Button danger onClick={() => setAction({ kind: 'withdraw' })} data-testid="withdraw">
              {t('撤回')}
            </Button>
          ) : null
        }
      >
        <Descriptions size="small" column={{ xs: 1, md: 2 }}>
          <Descriptions.Item label={t('乡镇街道')}>{orgName(view.townshipId)}</Descriptions.Item>
          <Descriptions.Item label={t('事项类别')}>{l.category(view.category)}</Descriptions.Item>
          <Descriptions.Item label={t('地址')}>{view.location.address}</Descriptions.Item>
          <Descriptions.Item label={t('网格')}>{view.location.grid ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('发起时间')}>{formatInstant(view.raisedAt)}</Descriptions.Item>
          <Descriptions.Item label={t('清单事项')}>{view.matterCode ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('问题描述')} span={2}>
            {view.description}
          </Descriptions.Item>
        </Descriptions>
      </Card>
      {view.parts.map((p) => (
        <Card
          key={p.partId}
          size="small"
          data-testid={`part-${p.departmentId}`}
          title={
            <Space wrap>
              <span>{orgName(p.departmentId)}</span>
              {p.lead && view.parts.length > 1 && <Tag data-testid="lead-badge">{t('牵头')}</Tag>}
              <Tag color="#0950b3" data-testid="part-status">
                {l.partStatus(p.status)}
              </Tag>
              {p.round > 1 && <Tag>{lang === 'zh' ? `第${p.round}轮` : `round ${p.round}`}</Tag>}
              {open && alertOf(p) !== 'none' && (
                <Tag color={ALERT_COLOR[alertOf(p)]} data-testid="alert-badge">
                  {l.alert(alertOf(p))}
                </Tag>
              )}
              {p.pendingExtension && (
                <Tag color="#874d00" data-testid="pending-extension">
                  {t('待审批延期')}
                </Tag>
              )}
              {p.pendingReturn && (
                <Tag color="#874d00" data-testid="pending-return">
                  {t('待审定退单')}
                </Tag>
              )}
              {p.openAppeal && (
                <Tag color="#874d00" data-testid="open-appeal">
                  {t('申诉中')}
                </Tag>
              )}
              {p.urges > 0 && <Tag color="#531dab">{lang === 'zh' ? `督办 ${p.urges} 次` : `urged ${p.urges}×`}</Tag>}
              {p.outcome && (
                <Tag color={p.outcome === 'resolved' ? '#237804' : '#ad2102'}>
                  {p.outcome === 'resolved' ? (lang === 'zh' ? '已解决' : 'resolved') : lang === 'zh' ? '未解决' : 'unresolved'}
                </Tag>
              )}
            </Space>
          }
          extra={
            <Space wrap>
              {actionsFor(p).map((a) => (
                <Button key={a.label} type={a.primary ? 'primary' : 'default'} onClick={() => setAction(a.act)} data-testid={`action-${a.act.kind}`}>
                  {t(a.label)}
                </Button>
              ))}
            </Space>
          }
        >
          <Descriptions size="small" column={{ xs: 1, md: 2 }}>
            <Descriptions.Item label={t('报到期限')}>
              <Deadline
                dueAt={p.responseDueAt}
                clock={p.deadlineBasis.response.clock}
                done={open && p.status === 'awaiting_response' ? null : (p.respondedAt ?? 'stopped')}
              />
            </Descriptions.Item>
            <Descriptions.Item label={t('办结期限')}>
              <Deadline
                dueAt={p.completionDueAt}
                clock={p.deadlineBasis.completion.clock}
                done={open && (p.status === 'in_progress' || p.status === 'awaiting_response') ? null : (p.completedAt ?? 'stopped')}
              />
            </Descriptions.Item>
            {p.pendingExtension && (
              <Descriptions.Item label={t('延期申请')}>
                {lang === 'zh' ? `${p.pendingExtension.workingDays}个工作日` : `${p.pendingExtension.workingDays} working day(s)`} · {p.pendingExtension.reason}
              </Descriptions.Item>
            )}
            {p.pendingReturn && (
              <Descriptions.Item label={t('退单理由')}>
                {p.pendingReturn.reason} · {t('审定期限')} {formatInstant(p.pendingReturn.decisionDueAt)}
              </Descriptions.Item>
            )}
            {p.openAppeal && <Descriptions.Item label={t('申诉理由')}>{p.openAppeal.reason}</Descriptions.Item>}
            {p.appeals.length > 0 && (
              <Descriptions.Item label={t('申诉裁定')}>
                <span data-testid="appeal-decisions">
                  {p.appeals
                    .map((a) =>
                      lang === 'zh'
                        ? `第${a.round}轮评价申诉${a.upheld ? '成立' : '不成立'}（${formatInstant(a.decidedAt)}）`
                        : `Appeal of the round ${a.round} review ${a.upheld ? 'upheld' : 'rejected'} (${formatInstant(a.decidedAt)})`,
                    )
                    .join('；')}
                </span>
              </Descriptions.Item>
            )}
            {p.result && <Descriptions.Item label={t('办理结果')}>{p.result}</Descriptions.Item>}
            {p.review && (
              <Descriptions.Item label={t('一事一评')}>
                {p.review.resolved ? (lang === 'zh' ? '已解决' : 'resolved') : lang === 'zh' ? '未解决' : 'not resolved'} ·{' '}
                {l.satisfaction(p.review.satisfaction)}
                {p.review.comment ? ` · ${p.review.comment}` : ''}
              </Descriptions.Item>
            )}
          </Descriptions>
        </Card>
      ))}
      <Card title={t('协调记录')} data-testid="notes">
        {notes.length === 0 ? (
          <Typography.Paragraph type="secondary">{t('暂无协调记录')}</Typography.Paragraph>
        ) : (
          <Space direction="vertical" style={{ width: '100%' }}>
            {notes.map((e) => (
              <div key={e.id} data-testid="note-item">
                <Typography.Text strong>{formatInstant(e.occurredAt)}</Typography.Text>{' '}
                <Typography.Text>{`${orgName(e.actor.orgId)} ${e.actor.userId}`}</Typography.Text>
                <div>{e.type === 'NoteAdded' ? e.data.text : ''}</div>
                <EvidenceList files={filesOf(e)} />
              </div>
            ))}
          </Space>
        )}
        {canNote && (
          <Form form={noteForm} layout="vertical" onFinish={addNote} style={{ marginTop: 16 }} data-testid="note-form">
            <Form.Item name="text" label={t('记录内容')} rules={[{ required: true, whitespace: true }]}>
              <Input.TextArea rows={2} maxLength={2000} />
            </Form.Item>
            <Form.Item name="attachmentIds" label={t('照片')}>
              <EvidenceUpload onBusy={setUploading} />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={noting} disabled={uploading} data-testid="add-note">
              {t('添加记录')}
            </Button>
          </Form>
        )}
      </Card>
      <Card title={t('全程留痕')}>
        {events.length === 0 ? (
          <Empty />
        ) : (
          <Timeline
            data-testid="timeline"
            items={events.map((e) => ({
              key: e.id,
              content: (
                <div data-testid="timeline-item">
                  <Typography.Text strong>{formatInstant(e.occurredAt)}</Typography.Text>{' '}
                  <Typography.Text>{e.actor.role === 'system' ? l.role('system') : `${orgName(e.actor.orgId)} ${e.actor.userId}`}</Typography.Text>
                  <div>{describe(e, orgName, lang)}</div>
                  <EvidenceList files={filesOf(e)} />
                </div>
              ),
            }))}
          />
        )}
      </Card>
      <Modal
        open={action !== null}
        title={action ? t(titles[action.kind]) : ''}
        okText={t('确定')}
        cancelText={t('取消')}
        confirmLoading={busy}
        okButtonProps={{ disabled: uploading }}
        onOk={() => form.submit()}
        onCancel={() => {
          setAction(null);
          setUploading(false);
          form.resetFields();
        }}
        destroyOnHidden
      >
        <Form
          form={form}
          layout="vertical"
          onFinish={submit}
          preserve={false}
          initialValues={{
            resolved: true,
            satisfaction: 'satisfied',
            approved: true,
            upheld: true,
            workingDays: action?.kind === 'decideExtension' ? action.part.pendingExtension?.workingDays : undefined,
          }}
          data-testid="action-form"
        >
          {action?.kind === 'respond' && (
            <Form.Item name="note" label={t('备注')}>
              <Input />
            </Form.Item>
          )}
          {(action?.kind === 'transfer' || action?.kind === 'reassign') && (
            <>
              <Form.Item name="toDepartmentId" label={t('转至部门')} rules={[{ required: true }]}>
                <Select showSearch={{ optionFilterProp: 'label' }} options={otherDepartments(action.part)} data-testid="to-department" />
              </Form.Item>
              <Form.Item name="reason" label={t(action.kind === 'transfer' ? '转办理由' : '改派理由')} rules={[{ required: true, whitespace: true }]}>
                <Input.TextArea rows={3} />
              </Form.Item>
            </>
          )}
          {action?.kind === 'complete' && (
            <>
              <Form.Item name="result" label={t('办理结果')} rules={[{ required: true, whitespace: true }]}>
                <Input.TextArea rows={3} />
              </Form.Item>
              {evidenceField}
            </>
          )}
          {action?.kind === 'review' && (
            <>
              <Typography.Paragraph>{orgName(action.part.departmentId)}</Typography.Paragraph>
              <Form.Item name="resolved" label={t('是否解决')} valuePropName="checked">
                <Switch checkedChildren={lang === 'zh' ? '已解决' : 'Yes'} unCheckedChildren={lang === 'zh' ? '未解决' : 'No'} data-testid="resolved" />
              </Form.Item>
              <Form.Item name="satisfaction" label={t('满意度')} rules={[{ required: true }]}>
                <Radio.Group options={SATISFACTIONS.map((s) => ({ value: s, label: l.satisfaction(s) }))} />
              </Form.Item>
              <Form.Item name="comment" label={t('评价意见')}>
                <Input.TextArea rows={2} />
              </Form.Item>
            </>
          )}
          {action?.kind === 'urge' && (
            <Form.Item name="note" label={t('督办意见')} rules={[{ required: true, whitespace: true }]}>
              <Input.TextArea rows={2} />
            </Form.Item>
          )}
          {action?.kind === 'extend' && (
            <>
              <Form.Item name="workingDays" label={t('延期工作日')} rules={[{ required: true }]}>
                <InputNumber min={1} max={30} precision={0} data-testid="working-days" />
              </Form.Item>
              <Form.Item name="reason" label={t('延期理由')} rules={[{ required: true, whitespace: true }]}>
                <Input.TextArea rows={3} />
              </Form.Item>
              {evidenceField}
            </>
          )}
          {action?.kind === 'decideExtension' && (
            <>
              <Typography.Paragraph>
                {orgName(action.part.departmentId)} · {action.part.pendingExtension?.reason}
              </Typography.Paragraph>
              <EvidenceList files={requestFiles('ExtensionRequested', action.part)} />
              <Form.Item name="approved" label={t('是否同意')} valuePropName="checked">
                <Switch checkedChildren={t('同意')} unCheckedChildren={t('不同意')} data-testid="approved" />
              </Form.Item>
              <Form.Item name="workingDays" label={t('延期工作日')}>
                <InputNumber min={1} max={action.part.pendingExtension?.workingDays} precision={0} data-testid="working-days" />
              </Form.Item>
              <Form.Item name="note" label={t('审批意见')}>
                <Input.TextArea rows={2} />
              </Form.Item>
            </>
          )}
          {action?.kind === 'return' && (
            <>
              <Form.Item name="reason" label={t('退单理由')} rules={[{ required: true, whitespace: true }]}>
                <Input.TextArea rows={3} />
              </Form.Item>
              <Form.Item name="suggestedDepartmentId" label={t('建议部门')}>
                <Select allowClear showSearch={{ optionFilterProp: 'label' }} options={otherDepartments(action.part)} data-testid="suggested-department" />
              </Form.Item>
              {evidenceField}
            </>
          )}
          {action?.kind === 'decideReturn' && (
            <>
              <Typography.Paragraph>
                {orgName(action.part.departmentId)} · {action.part.pendingReturn?.reason}
              </Typography.Paragraph>
              <EvidenceList files={requestFiles('PartReturned', action.part)} />
              <Form.Item name="upheld" label={t('是否成立')} valuePropName="checked">
                <Switch checkedChildren={t('成立')} unCheckedChildren={t('不成立')} data-testid="upheld" />
              </Form.Item>
              <Form.Item noStyle shouldUpdate={(a, b) => a.upheld !== b.upheld}>
                {({ getFieldValue }) =>
                  getFieldValue('upheld') ? (
                    <Form.Item name="toDepartmentId" label={t('改派至')} rules={[{ required: true }]}>
                      <Select showSearch={{ optionFilterProp: 'label' }} options={otherDepartments(action.part)} data-testid="to-department" />
                    </Form.Item>
                  ) : null
                }
              </Form.Item>
              <Form.Item name="note" label={t('审定意见')}>
                <Input.TextArea rows={2} />
              </Form.Item>
            </>
          )}
          {action?.kind === 'appeal' && (
            <>
              <Form.Item name="reason" label={t('申诉理由')} rules={[{ required: true, whitespace: true }]}>
                <Input.TextArea rows={3} />
              </Form.Item>
              {evidenceField}
            </>
          )}
          {action?.kind === 'decideAppeal' && (
            <>
              <Typography.Paragraph>
                {orgName(action.part.departmentId)} · {action.part.openAppeal?.reason}
              </Typography.Paragraph>
              <EvidenceList files={requestFiles('ReviewAppealed', action.part)} />
              <Form.Item name="upheld" label={t('是否成立')} valuePropName="checked">
                <Switch checkedChildren={t('成立')} unCheckedChildren={t('不成立')} data-testid="upheld" />
              </Form.Item>
              <Form.Item name="note" label={t('裁定意见')} rules={[{ required: true, whitespace: true }]}>
                <Input.TextArea rows={2} />
              </Form.Item>
            </>
          )}
          {action?.kind === 'withdraw' && (
            <Form.Item name="reason" label={t('撤回理由')} rules={[{ required: true, whitespace: true }]}>
              <Input.TextArea rows={3} />
            </Form.Item>
          )}
        </Form>
      </Modal>
    </Space>
  );
}
