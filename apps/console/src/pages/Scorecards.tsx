import { Alert, App, Button, Card, DatePicker, Drawer, Radio, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { ApiError, api, must, saveBlob, type Schemas, type Scorecard, type ScorecardExplanation, type ScorecardRow } from '../api/client';
import { Chart } from '../components/Chart';
import { useI18n } from '../i18n';
import { labels } from '../labels';
import { Link } from '../router';
import { useSession } from '../session';
import { formatInstant } from '../time';

type Grain = 'month' | 'quarter' | 'year';
type Period = { from: string; to: string };
/** csv: the machine CSV (field names); csv-zh and xlsx: the clerk's CSV and workbook (Chinese headers). */
type Format = 'csv' | 'csv-zh' | 'xlsx';

/** The file name the API gives in `filename*` (RFC 5987, the clerk downloads' Chinese name), if any. */
function extendedFileName(disposition: string | null): string | null {
  const m = /filename\*=UTF-8''([^;]+)/i.exec(disposition ?? '');
  if (!m) return null;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return null;
  }
}

const pct = (r: number | null | undefined) => (r === null || r === undefined ? '—' : `${(r * 100).toFixed(1)}%`);

function periodOf(grain: Grain, at: Dayjs): Period {
  const start = grain === 'month' ? at.startOf('month') : grain === 'year' ? at.startOf('year') : at.month(Math.floor(at.month() / 3) * 3).startOf('month');
  const end = start.add(grain === 'month' ? 1 : grain === 'quarter' ? 3 : 12, 'month');
  return { from: start.format('YYYY-MM-DD'), to: end.format('YYYY-MM-DD') };
}

/** The weights of the policy a scorecard was computed with, as its head states them: "（响应率30、解决率35、满意率35）". */
function weightsOf(policies: Schemas['PolicyVersionView'][], version: string, t: (s: string) => string, lang: string): string {
  const w = policies.find((p) => p.version === version)?.weights;
  if (!w) return '';
  return lang === 'zh'
    ? `（${t('响应率')}${w.wR}、${t('解决率')}${w.wS}、${t('满意率')}${w.wF}）`
    : ` (${t('响应率')} ${w.wR}, ${t('解决率')} ${w.wS}, ${t('满意率')} ${w.wF})`;
}

/** 考核: scorecards for a month, quarter or year as of an instant, ranking chart, explain per department, downloads. */
export default function Scorecards() {
  const { t, lang } = useI18n();
  const { serverNow } = useSession();
  const { message } = App.useApp();
  const l = labels(lang);
  const [grain, setGrain] = useState<Grain>('month');
  const [at, setAt] = useState<Dayjs>(() => dayjs(serverNow()));
  const [asOf, setAsOf] = useState<Dayjs | null>(null);
  const [card, setCard] = useState<Scorecard | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [explain, setExplain] = useState<{ row: ScorecardRow; data: ScorecardExplanation | null; trend: Schemas['DepartmentScorecard'] | null } | null>(null);
  // 评分政策: null is the version in force (what the scorecard serves by default); another re-scores the same facts.
  const [policy, setPolicy] = useState<string | null>(null);
  const [policies, setPolicies] = useState<Schemas['PolicyVersionView'][]>([]);
  const period = periodOf(grain, at);
  const query = { ...period, ...(asOf ? { asOf: asOf.toISOString() } : {}), ...(policy ? { policy } : {}) };

  useEffect(() => {
    must(api.GET('/v1/policies'))
      .then((list) => setPolicies(list.versions))
      .catch((e: Error) => message.error(e.message));
  }, [message]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the period and asOf (as text) decide the request; the query object is new every render
  useEffect(() => {
    setCard(null);
    must(api.GET('/v1/scorecards', { params: { query } }))
      .then((c) => {
        setCard(c as Scorecard);
        setError(null);
      })
      .catch((e: Error) => setError(e.message));
  }, [period.from, period.to, asOf?.valueOf(), policy]);

  async function openExplain(row: ScorecardRow) {
    setExplain({ row, data: null, trend: null });
    const path = { departmentId: row.departmentId };
    const [data, trend] = await Promise.all([
      must(api.GET('/v1/scorecards/{departmentId}/explain', { params: { path, query } })),
      must(api.GET('/v1/scorecards/{departmentId}', { params: { path, query } })),
    ]);
    setExplain({ row, data, trend });
  }

  async function download(format: Format) {
    try {
      const {
        data,
        response,
        error: problem,
      } = await api.GET('/v1/scorecards', {
        params: { query: { ...query, format } },
        parseAs: 'blob',
      });
      if (!response.ok || !data) throw new ApiError((problem ?? {}) as never, response.status);
      saveBlob(
        data,
        extendedFileName(response.headers.get('content-disposition')) ??
          `scorecards-${period.from}-${period.to}${format === 'csv-zh' ? '-zh' : ''}.${format === 'xlsx' ? 'xlsx' : 'csv'}`,
      );
    } catch (e) {
      message.error(e instanceof Error ? e.message : String(e));
    }
  }

  const ranked = useMemo(() => (card?.departments ?? []).filter((d) => d.rank !== null), [card]);

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Card title={t('考核')}>
        <Space wrap>
          <Radio.Group
            aria-label={t('周期')}
            optionType="button"
            value={grain}
            onChange={(e) => setGrain(e.target.value)}
            options={[
              { value: 'month', label: t('月') },
              { value: 'quarter', label: t('季') },
              { value: 'year', label: t('年') },
            ]}
          />
          <DatePicker aria-label={t('周期')} picker={grain} value={at} onChange={(d) => d && setAt(d)} allowClear={false} />
          <DatePicker aria-label={t('截至')} placeholder={t('截至')} showTime value={asOf} onChange={setAsOf} />
          <Select<string>
            aria-label={t('评分政策')}
            data-testid="policy-picker"
            style={{ minWidth: 240 }}
            value={policy ?? ''}
            onChange={(v) => setPolicy(v === '' ? null : v)}
            options={[
              { value: '', label: t('评分政策：现行') },
              ...policies.map((p) => ({
                value: p.version,
                label: `${p.version}（${p.inForce ? t('现行') : p.effectiveFrom === null ? t('假设') : `${t('自')} ${formatInstant(p.effectiveFrom)}`}）`,
              })),
            ]}
          />
          <Button onClick={() => void download('csv')} data-testid="download-csv">
            {t('下载CSV')}
          </Button>
          <Button onClick={() => void download('csv-zh')} data-testid="download-csv-zh">
            {t('下载CSV（中文）')}
          </Button>
          <Button onClick={() => void download('xlsx')} data-testid="download-xlsx">
            {t('下载Excel')}
          </Button>
        </Space>
        {card && (
          <Typography.Paragraph type="secondary" style={{ marginTop: 12 }} data-testid="scorecard-head">
            {card.from} – {card.to}（{lang === 'zh' ? '不含' : 'exclusive'}）· {t('截至')} {formatInstant(card.asOf)} · {t('评分政策')}{' '}
            <span data-testid="scorecard-policy">{card.policyVersion}</span>
            {weightsOf(policies, card.policyVersion, t, lang)}
          </Typography.Paragraph>
        )}
      </Card>
      {error && <Alert type="error" title={error} />}
      <Card title={t('排名')}>
        <Table<ScorecardRow>
          rowKey="departmentId"
          dataSource={card?.departments ?? []}
          loading={card === null && !error}
          pagination={false}
          scroll={{ x: 900 }}
          data-testid="scorecard-table"
          columns={[
            {
              title: t('排名'),
              dataIndex: 'rank',
              width: 110,
              render: (rank: number | null, _row) => {
                if (rank !== null) {
                  const tie = (card?.departments ?? []).filter((d) => d.rank === rank).length > 1;
                  return <span data-testid="rank">{tie ? (lang === 'zh' ? `并列${rank}` : `=${rank}`) : rank}</span>;
                }
                return (
                  <Tooltip title={l.unranked}>
                    <Tag data-testid="unranked" aria-label={`${t('未排名')}: ${l.unranked}`}>
                      {t('未排名')}
                    </Tag>
                  </Tooltip>
                );
              },
            },
            { title: t('部门'), dataIndex: 'name' },
            { title: t('收件数'), dataIndex: 'received', width: 90 },
            { title: t('响应率'), dataIndex: 'responseRate', render: pct, width: 100 },
            { title: t('解决率'), dataIndex: 'resolutionRate', render: pct, width: 100 },
            { title: t('满意率'), dataIndex: 'satisfactionRate', render: pct, width: 100 },
            { title: t('综合得分'), dataIndex: 'compositeScore', render: (s: number | null) => (s === null ? '—' : s.toFixed(2)), width: 100 },
            {
              title: t('操作'),
              key: 'explain',
              width: 100,
              render: (_: unknown, row) => (
                <Button size="small" onClick={() => void openExplain(row)} data-testid={`explain-${row.departmentId}`}>
                  {t('明细')}
                </Button>
              ),
            },
          ]}
        />
        {card?.departments.some((d) => d.rank === null) && (
          <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
            {t('未排名')}：{l.unranked}
          </Typography.Paragraph>
        )}
      </Card>
      <Card title={t('排名图')}>
        <Chart
          label={t('排名图')}
          testId="chart-ranking"
          height={Math.max(240, ranked.length * 28)}
          option={{
            tooltip: {},
            grid: { left: 160, right: 24, top: 8, bottom: 24 },
            xAxis: { type: 'value', max: 100 },
            yAxis: { type: 'category', data: ranked.map((d) => `${d.rank}. ${d.name}`).reverse() },
            series: [{ type: 'bar', data: ranked.map((d) => d.compositeScore).reverse(), itemStyle: { color: '#b71c1c' } }],
          }}
        />
      </Card>
      <Drawer open={explain !== null} onClose={() => setExplain(null)} title={explain ? `${t('明细')} · ${explain.row.name}` : ''} size="large" destroyOnHidden>
        {explain && !explain.data && <Card loading />}
        {explain?.trend && explain.trend.trend.length > 0 && (
          <Chart
            label={t('趋势')}
            height={220}
            testId="chart-trend"
            option={{
              tooltip: { trigger: 'axis' },
              legend: {},
              xAxis: { type: 'category', data: explain.trend.trend.map((p) => p.month) },
              yAxis: { type: 'value', max: 100 },
              series: [
                { name: t('综合得分'), type: 'line', data: explain.trend.trend.map((p) => p.compositeScore) },
                { name: t('响应率'), type: 'line', data: explain.trend.trend.map((p) => (p.responseRate === null ? null : p.responseRate * 100)) },
              ],
            }}
          />
        )}
        {explain?.data && (
          <Table
            rowKey={(p) => `${p.caseId}/${p.partId}/${p.holding}`}
            dataSource={explain.data.parts}
            pagination={{ pageSize: 20 }}
            size="small"
            data-testid="explain-table"
            columns={[
              {
                title: t('案件'),
                key: 'case',
                render: (_: unknown, p) => (
                  <Link to={`/cases/${p.caseId}`} data-testid="explain-case-link">
                    {p.townshipName ?? p.townshipId}
                  </Link>
                ),
              },
              { title: t('发起时间'), dataIndex: 'assignedAt', render: formatInstant },
              { title: t('报到'), key: 'responded', render: (_: unknown, p) => (p.respondedAt ? formatInstant(p.respondedAt) : '—') },
              {
                title: t('逾期'),
                key: 'overdue',
                render: (_: unknown, p) => (p.overdue.response || p.overdue.completion ? <Tag color="#a8071a">{t('逾期')}</Tag> : '—'),
              },
              { title: t('一事一评'), key: 'review', render: (_: unknown, p) => (p.latestReview ? l.satisfaction(p.latestReview.satisfaction) : '—') },
            ]}
          />
        )}
      </Drawer>
    </Space>
  );
}
