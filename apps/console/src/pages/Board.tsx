import { Alert, Card, Col, DatePicker, Row, Space, Statistic, Table, Tag, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useMemo, useState } from 'react';
import { api, must, type CaseView, type PartView } from '../api/client';
import { Chart } from '../components/Chart';
import { Deadline } from '../components/Deadline';
import { PendingSelect, PendingTags } from '../components/PendingMoves';
import { usePoll } from '../components/usePoll';
import { useI18n } from '../i18n';
import { ALERT_COLOR, alertOf, labels, PENDING_MOVES, type PendingMove } from '../labels';
import { Link } from '../router';
import { useSession } from '../session';
import { runningDue } from './CaseList';

interface OverdueRow {
  key: string;
  c: CaseView;
  p: PartView;
  alert: string;
}

/** Parts whose running clock had passed its deadline at `at` (by the deadlines in force now). */
function overdueAt(cases: CaseView[], at: number): OverdueRow[] {
  const rows: OverdueRow[] = [];
  for (const c of cases) {
    for (const p of c.parts) {
      const lateResponse = Date.parse(p.responseDueAt) < at && (!p.respondedAt || Date.parse(p.respondedAt) > at);
      const lateCompletion = Date.parse(p.completionDueAt) < at && (!p.completedAt || Date.parse(p.completedAt) > at) && Date.parse(p.assignedAt) < at;
      if ((lateResponse || lateCompletion) && Date.parse(p.assignedAt) <= at) rows.push({ key: `${c.caseId}/${p.partId}`, c, p, alert: alertOf(p) });
    }
  }
  return rows;
}

/** 督办看板: the county's overdue and escalated parts, with urge and reassign on the case page, and breakdowns. */
export default function Board() {
  const { t, lang } = useI18n();
  const { orgName } = useSession();
  const l = labels(lang);
  const [instant, setInstant] = useState<Dayjs | null>(null);
  const { data, error } = usePoll(async () => (await must(api.GET('/v1/cases', { params: { query: { status: 'open', limit: 100 } } }))).items, []);
  const cases = data ?? [];
  const rows: OverdueRow[] = useMemo(
    () =>
      cases.flatMap((c) =>
        c.parts.filter((p) => ['overdue', 'escalated'].includes(alertOf(p))).map((p) => ({ key: `${c.caseId}/${p.partId}`, c, p, alert: alertOf(p) })),
      ),
    [cases],
  );
  // 待审批: cases awaiting a decision, from the API's pending filter (appeals are on closed cases too); one move or all three.
  const [move, setMove] = useState<PendingMove | undefined>();
  const awaiting = usePoll(async () => {
    const pages = await Promise.all(
      (move ? [move] : PENDING_MOVES).map(async (pending) => (await must(api.GET('/v1/cases', { params: { query: { pending, limit: 100 } } }))).items),
    );
    const byId = new Map(pages.flat().map((c) => [c.caseId, c]));
    return [...byId.values()].sort((a, b) => b.raisedAt.localeCompare(a.raisedAt));
  }, [move]);
  const byTownship = useMemo(() => count(rows, (r) => orgName(r.c.townshipId)), [rows, orgName]);
  const byDepartment = useMemo(() => count(rows, (r) => orgName(r.p.departmentId)), [rows, orgName]);
  const atRows = instant ? overdueAt(cases, instant.valueOf()) : [];

  const columns = [
    {
      title: t('标题'),
      key: 'title',
      render: (_: unknown, r: OverdueRow) => (
        <Link to={`/cases/${r.c.caseId}`} data-testid="board-case-link">
          {r.c.title}
        </Link>
      ),
    },
    { title: t('乡镇街道'), key: 'township', render: (_: unknown, r: OverdueRow) => orgName(r.c.townshipId) },
    { title: t('部门'), key: 'dept', render: (_: unknown, r: OverdueRow) => orgName(r.p.departmentId) },
    { title: t('状态'), key: 'status', render: (_: unknown, r: OverdueRow) => l.partStatus(r.p.status) },
    {
      title: t('逾期'),
      key: 'alert',
      render: (_: unknown, r: OverdueRow) => (
        <Tag color={ALERT_COLOR[r.alert]} data-testid="alert-badge">
          {l.alert(r.alert)}
        </Tag>
      ),
    },
    {
      title: `${t('报到期限')} / ${t('办结期限')}`,
      key: 'due',
      render: (_: unknown, r: OverdueRow) => {
        const d = runningDue(r.p);
        return d ? <Deadline dueAt={d.dueAt} clock={r.p.deadlineBasis[d.kind].clock} /> : '—';
      },
    },
    { title: t('督办'), key: 'urges', render: (_: unknown, r: OverdueRow) => r.p.urges },
  ];

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      {error && <Alert type="error" title={error} />}
      <Row gutter={16}>
        <Col xs={12} md={6}>
          <Card>
            <Statistic title={t('逾期与督办')} value={rows.length} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card>
            <Statistic title={l.alert('escalated')} value={rows.filter((r) => r.alert === 'escalated').length} />
          </Card>
        </Col>
      </Row>
      <Card title={t('待审批')} data-testid="pending-moves" extra={<PendingSelect value={move} onChange={setMove} />}>
        {awaiting.error && <Alert type="error" title={awaiting.error} />}
        <Table<CaseView>
          rowKey="caseId"
          dataSource={awaiting.data ?? []}
          data-testid="pending-table"
          columns={[
            {
              title: t('标题'),
              key: 'title',
              render: (_: unknown, c: CaseView) => (
                <Link to={`/cases/${c.caseId}`} data-testid="pending-case-link">
                  {c.title}
                </Link>
              ),
            },
            { title: t('乡镇街道'), key: 'township', render: (_: unknown, c: CaseView) => orgName(c.townshipId) },
            {
              title: t('部门'),
              key: 'dept',
              render: (_: unknown, c: CaseView) =>
                c.parts
                  .filter((p) => p.pendingExtension || p.pendingReturn || p.openAppeal)
                  .map((p) => orgName(p.departmentId))
                  .join('、'),
            },
            {
              title: t('待审批事项'),
              key: 'move',
              render: (_: unknown, c: CaseView) => (
                <Link to={`/cases/${c.caseId}`}>
                  <PendingTags pending={c.pending} testId="board-pending" />
                </Link>
              ),
            },
          ]}
          pagination={{ pageSize: 20 }}
          scroll={{ x: 800 }}
          loading={awaiting.data === null}
        />
      </Card>
      <Card title={t('逾期与督办')}>
        <Table<OverdueRow>
          dataSource={rows}
          columns={columns}
          pagination={{ pageSize: 20 }}
          scroll={{ x: 800 }}
          data-testid="board-table"
          loading={data === null}
        />
      </Card>
      <Row gutter={16}>
        <Col xs={24} lg={12}>
          <Card title={t('按乡镇')}>
            <Chart label={t('按乡镇')} option={bar(byTownship)} height={280} testId="chart-township" />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={t('按部门')}>
            <Chart label={t('按部门')} option={bar(byDepartment)} height={280} testId="chart-department" />
          </Card>
        </Col>
      </Row>
      <Card title={t('在某时刻逾期')}>
        <Space direction="vertical" style={{ width: '100%' }}>
          <Typography.Paragraph type="secondary">
            {lang === 'zh'
              ? '按当前在办案件的现行期限计算：选定时刻已过期限而尚未报到或办结的部分。'
              : 'From the open cases and the deadlines in force now: parts past a deadline at the chosen instant and not yet reported in or completed then.'}
          </Typography.Paragraph>
          <span>
            {t('时刻')} <DatePicker showTime value={instant} onChange={setInstant} aria-label={t('时刻')} />
          </span>
          {instant && <Table<OverdueRow> dataSource={atRows} columns={columns.slice(0, 4)} pagination={false} data-testid="overdue-at-table" />}
        </Space>
      </Card>
    </Space>
  );
}

function count(rows: OverdueRow[], key: (r: OverdueRow) => string): [string, number][] {
  const m = new Map<string, number>();
  for (const r of rows) m.set(key(r), (m.get(key(r)) ?? 0) + 1);
  return [...m].sort((a, b) => b[1] - a[1]);
}

function bar(data: [string, number][]) {
  return {
    tooltip: {},
    grid: { left: 120, right: 16, top: 8, bottom: 24 },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: data.map((d) => d[0]).reverse() },
    series: [{ type: 'bar', data: data.map((d) => d[1]).reverse(), itemStyle: { color: '#b71c1c' } }],
  };
}
