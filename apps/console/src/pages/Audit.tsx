import { Alert, App, Button, Card, DatePicker, Input, Space, Table, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { api, ApiError, must, saveBlob, type Schemas } from '../api/client';
import { useI18n } from '../i18n';
import { formatInstant } from '../time';

type AuditItem = Schemas['AuditItem'];

interface Filter {
  from: Dayjs;
  to: Dayjs;
  orgId: string;
  outcome: string;
}

const PAGE = 100;

/**
 * 审计日志: the audit trail of refused requests (等保 2.0 §8.1.4.3), for the command centre — who was refused what,
 * when, from where, with the correlation id an operator looks up in the logs. Pages by the API's cursor; CSV download.
 */
export default function Audit() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [filter, setFilter] = useState<Filter>(() => ({
    from: dayjs().subtract(7, 'day').startOf('day'),
    to: dayjs().add(1, 'minute'),
    orgId: '',
    outcome: '',
  }));
  const [items, setItems] = useState<AuditItem[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  const query = (f: Filter) => ({
    from: f.from.toISOString(),
    to: f.to.toISOString(),
    ...(f.orgId.trim() ? { orgId: f.orgId.trim() } : {}),
    ...(f.outcome.trim() ? { outcome: f.outcome.trim() } : {}),
  });

  async function load(f: Filter, after: string | null) {
    setLoading(true);
    try {
      // JSON unless format=csv is asked for (the document types the 200 as either).
      const page = (await must(
        api.GET('/v1/audit', { params: { query: { ...query(f), limit: PAGE, ...(after ? { cursor: after } : {}) } } }),
      )) as Schemas['AuditPage'];
      setItems((shown) => (after ? [...shown, ...page.items] : page.items));
      setCursor(page.nextCursor);
      setError(null);
    } catch (e) {
      setError(e instanceof ApiError && e.problem.errors?.length ? e.problem.errors.map((x) => `${x.field}: ${x.message}`).join('; ') : String(e));
    } finally {
      setLoading(false);
    }
  }

  // biome-ignore lint/correctness/useExhaustiveDependencies: loads once on opening; the 查询 button loads again
  useEffect(() => {
    void load(filter, null);
  }, []);

  async function download() {
    try {
      const { data, response, error: problem } = await api.GET('/v1/audit', { params: { query: { ...query(filter), format: 'csv' } }, parseAs: 'blob' });
      if (!response.ok || !data) throw new ApiError((problem ?? {}) as never, response.status);
      saveBlob(data, `audit-${filter.from.format('YYYY-MM-DD')}-${filter.to.format('YYYY-MM-DD')}.csv`);
    } catch (e) {
      message.error(e instanceof Error ? e.message : String(e));
    }
  }

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Card title={t('审计日志')}>
        <Typography.Paragraph type="secondary">{t('被拒绝的请求：时间、机构、用户、来源地址、路径、结果代码与关联号')}</Typography.Paragraph>
        <Space wrap>
          <DatePicker.RangePicker
            showTime
            value={[filter.from, filter.to]}
            onChange={(range) => range?.[0] && range[1] && setFilter({ ...filter, from: range[0], to: range[1] })}
            aria-label={t('时间范围')}
          />
          <Input
            placeholder={t('机构编号')}
            aria-label={t('机构编号')}
            value={filter.orgId}
            onChange={(e) => setFilter({ ...filter, orgId: e.target.value })}
            style={{ width: 180 }}
            data-testid="audit-org"
          />
          <Input
            placeholder={t('结果代码')}
            aria-label={t('结果代码')}
            value={filter.outcome}
            onChange={(e) => setFilter({ ...filter, outcome: e.target.value })}
            style={{ width: 200 }}
            data-testid="audit-outcome"
          />
          <Button type="primary" onClick={() => void load(filter, null)} loading={loading} data-testid="audit-search">
            {t('查询')}
          </Button>
          <Button onClick={() => void download()} data-testid="audit-csv">
            {t('下载CSV')}
          </Button>
        </Space>
      </Card>
      {error && <Alert type="error" showIcon message={error} />}
      <Card>
        <Table<AuditItem>
          rowKey="id"
          size="small"
          dataSource={items}
          pagination={false}
          scroll={{ x: 1100 }}
          data-testid="audit-table"
          columns={[
            { title: t('时间'), dataIndex: 'at', render: (at: string) => formatInstant(at) },
            { title: t('机构'), dataIndex: 'orgId', render: (v: string | null) => v ?? '—' },
            { title: t('用户'), dataIndex: 'userId', render: (v: string | null) => v ?? '—' },
            { title: t('来源地址'), dataIndex: 'ip', render: (v: string | null) => v ?? '—' },
            { title: t('请求'), render: (_: unknown, r) => `${r.method ?? ''} ${r.route ?? ''}`.trim() || '—' },
            {
              title: t('结果'),
              render: (_: unknown, r) => (
                <Space size={4}>
                  <Tag>{r.status}</Tag>
                  <span>{r.outcome}</span>
                  {r.kind === 'aggregate' && <Tag color="orange">{`${t('汇总')} ×${r.count}`}</Tag>}
                </Space>
              ),
            },
            { title: t('案件'), dataIndex: 'caseId', render: (v: string | null) => v ?? '—' },
            { title: t('关联号'), dataIndex: 'correlationId', render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
          ]}
        />
        {cursor && (
          <Button style={{ marginTop: 12 }} onClick={() => void load(filter, cursor)} loading={loading} data-testid="audit-more">
            {t('加载更多')}
          </Button>
        )}
      </Card>
    </Space>
  );
}
