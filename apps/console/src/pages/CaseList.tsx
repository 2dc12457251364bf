import { Alert, Badge, Card, Input, Select, Space, Switch, Table, Tag } from 'antd';
import { useState } from 'react';
import { api, must, type CaseView, type ListCasesQuery, type PartView } from '../api/client';
import { Deadline } from '../components/Deadline';
import { PendingSelect, PendingTags } from '../components/PendingMoves';
import { usePoll } from '../components/usePoll';
import { useI18n } from '../i18n';
import { ALERT_COLOR, CATEGORIES, alertOf, labels, type PendingMove } from '../labels';
import { Link } from '../router';
import { useSession } from '../session';

/** The running clock's due instant of a part (报到 while awaiting it, 办结 while in progress), or null. */
export function runningDue(p: PartView): { dueAt: string; kind: 'response' | 'completion' } | null {
  if (p.status === 'awaiting_response') return { dueAt: p.responseDueAt, kind: 'response' };
  if (p.status === 'in_progress') return { dueAt: p.completionDueAt, kind: 'completion' };
  return null;
}

const nearest = (c: CaseView, mine: (p: PartView) => boolean) =>
  Math.min(...c.parts.filter(mine).map((p) => (c.status === 'open' && runningDue(p) ? Date.parse(runningDue(p)!.dueAt) : Number.POSITIVE_INFINITY)));

/** 我的吹哨 (township), the department's inbox sorted by the nearest deadline, or the county's cases (command centre). */
export default function CaseList() {
  const { t, lang } = useI18n();
  const { session, orgName } = useSession();
  const l = labels(lang);
  const department = session!.role === 'department';
  const [status, setStatus] = useState<ListCasesQuery['status'] | 'all'>('open');
  const [category, setCategory] = useState<string | undefined>();
  const [overdue, setOverdue] = useState(false);
  const [q, setQ] = useState('');
  const [pending, setPending] = useState<PendingMove | undefined>();
  const { data, error } = usePoll(
    async (minPosition) => {
      const query: ListCasesQuery = {
        limit: 100,
        ...(status !== 'all' ? { status } : {}),
        ...(overdue ? { overdue: true } : {}),
        ...(q ? { q } : {}),
        ...(pending ? { pending } : {}),
      };
      if (minPosition !== undefined) query.minPosition = minPosition;
      const page = await must(api.GET('/v1/cases', { params: { query } }));
      return page.items;
    },
    [status, overdue, q, pending],
  );
  const mine = (p: PartView) => !department || p.departmentId === session!.orgId;
  let items = (data ?? []).filter((c) => !category || c.category === category);
  if (department) items = [...items].sort((a, b) => nearest(a, mine) - nearest(b, mine));

  return (
    <Card title={t(department ? '待办' : session!.role === 'township' ? '我的吹哨' : '案件')}>
      <Space wrap style={{ marginBottom: 16 }}>
        <Select
          aria-label={t('状态')}
          value={status}
          onChange={setStatus}
          style={{ width: 140 }}
          options={[{ value: 'all', label: t('全部') }, ...['open', 'closed', 'withdrawn'].map((s) => ({ value: s, label: l.caseStatus(s) }))]}
        />
        <Select
          aria-label={t('事项类别')}
          allowClear
          placeholder={t('事项类别')}
          value={category}
          onChange={setCategory}
          style={{ width: 160 }}
          options={CATEGORIES.map((c) => ({ value: c, label: l.category(c) }))}
        />
        <PendingSelect
          value={pending}
          onChange={(m) => {
            setPending(m);
            // The move is the selection: an appeal usually follows the review that closed the case, so all statuses.
            if (m) setStatus('all');
          }}
        />
        <Input.Search aria-label={t('搜索')} placeholder={t('搜索')} allowClear onSearch={setQ} style={{ width: 220 }} />
        <Space>
          <Switch checked={overdue} onChange={setOverdue} aria-label={t('仅逾期')} id="overdue-only" />
          <label htmlFor="overdue-only">{t('仅逾期')}</label>
        </Space>
      </Space>
      {error && <Alert type="error" title={error} />}
      <Table<CaseView>
        rowKey="caseId"
        dataSource={items}
        loading={data === null}
        pagination={{ pageSize: 20 }}
        scroll={{ x: 800 }}
        data-testid="case-table"
        columns={[
          {
            title: t('标题'),
            dataIndex: 'title',
            render: (title: string, c) => (
              <Space wrap size={4}>
                <Link to={`/cases/${c.caseId}`} data-testid="case-link">
                  {title}
                </Link>
                <PendingTags pending={c.pending} />
              </Space>
            ),
          },
          { title: t('状态'), dataIndex: 'status', render: (s: string) => <Tag>{l.caseStatus(s)}</Tag>, width: 100 },
          { title: t('事项类别'), dataIndex: 'category', render: (s: string) => l.category(s), width: 110 },
          ...(session!.role !== 'township' ? [{ title: t('乡镇街道'), dataIndex: 'townshipId', render: (id: string) => orgName(id), width: 110 }] : []),
          {
            title: t('责任部门'),
            key: 'parts',
            render: (_: unknown, c: CaseView) => (
              <Space direction="vertical" size={2}>
                {c.parts.filter(mine).map((p) => {
                  // A withdrawn or closed case runs no clock, whatever its parts' last status.
                  const running = c.status === 'open' ? runningDue(p) : null;
                  const alert = c.status === 'open' ? alertOf(p) : 'none';
                  return (
                    <span key={p.partId} data-testid="part-summary">
                      <Badge color={ALERT_COLOR[alert]} text={`${orgName(p.departmentId)} · ${l.partStatus(p.status)}`} />{' '}
                      {alert !== 'none' && (
                        <Tag color={ALERT_COLOR[alert]} data-testid="alert-badge">
                          {l.alert(alert)}
                        </Tag>
                      )}
                      {running && <Deadline dueAt={running.dueAt} clock={p.deadlineBasis[running.kind].clock} />}
                    </span>
                  );
                })}
              </Space>
            ),
          },
        ]}
      />
    </Card>
  );
}
