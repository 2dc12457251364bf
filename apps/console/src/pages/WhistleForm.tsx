import { App, Button, Card, Descriptions, Form, Input, Radio, Select } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { ApiError, api, must, type MatterView, type Schemas } from '../api/client';
import { useI18n } from '../i18n';
import { AREAS, CATEGORIES, labels } from '../labels';
import { navigate } from '../router';
import { useSession } from '../session';

// The document states the matterCode-or-departments rule as anyOf, which openapi-typescript widens to `| unknown`;
// the shape is the generated object member of that union.
type Body = Pick<Schemas['CaseView'], 'title' | 'description'> & {
  location: Schemas['LocationDto'];
  category?: Schemas['CaseView']['category'];
  departmentIds?: string[];
  leadDepartmentId?: string;
  matterCode?: string;
  sourceRef?: string;
};
interface Values {
  mode: 'matter' | 'free';
  area?: string;
  matterCode?: string;
  category?: string;
  departmentIds?: string[];
  leadDepartmentId?: string;
  title: string;
  description: string;
  location: { address: string; grid?: string };
  sourceRef?: string;
}

const limit = (l: { amount: number; unit: string; clock: string }, lang: string) =>
  lang === 'zh'
    ? `${l.amount}${{ minutes: '分钟', hours: '小时', days: '天' }[l.unit] ?? l.unit}（${l.clock === 'working' ? '工作时间' : '自然时间'}）`
    : `${l.amount} ${l.unit} (${l.clock})`;

/** 吹哨: from a catalogue matter (its departments and limits apply) or with departments and a category chosen freely. */
export default function WhistleForm() {
  const { t, lang } = useI18n();
  const { orgs, orgName } = useSession();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [matters, setMatters] = useState<MatterView[]>([]);
  const [busy, setBusy] = useState(false);
  const mode = Form.useWatch('mode', form) ?? 'matter';
  const area = Form.useWatch('area', form);
  const matterCode = Form.useWatch('matterCode', form);
  const l = labels(lang);
  useEffect(() => {
    void must(api.GET('/v1/catalog')).then((c) => setMatters(c.matters));
  }, []);
  const matter = useMemo(() => matters.find((m) => m.code === matterCode), [matters, matterCode]);
  const picked = Form.useWatch('departmentIds', form) as string[] | undefined;
  const chosen = (mode === 'matter' ? matter?.departmentIds : picked) ?? [];
  const departments = orgs.filter((o) => o.type === 'department').map((o) => ({ value: o.id, label: o.name }));

  async function submit(v: Values) {
    setBusy(true);
    const body: Body = {
      title: v.title,
      description: v.description,
      location: { address: v.location.address, ...(v.location.grid ? { grid: v.location.grid } : {}) },
      ...(v.sourceRef ? { sourceRef: v.sourceRef } : {}),
      ...(v.leadDepartmentId && chosen.includes(v.leadDepartmentId) ? { leadDepartmentId: v.leadDepartmentId } : {}),
      ...(v.mode === 'matter' ? { matterCode: v.matterCode } : { category: v.category as Body['category'], departmentIds: v.departmentIds }),
    };
    try {
      const created = await must(api.POST('/v1/whistles', { body }));
      message.success(t('保存成功'));
      navigate(`/cases/${created.caseId}`);
    } catch (e) {
      if (e instanceof ApiError && e.fields.length) form.setFields(e.fields.map((f) => ({ name: f.name as never, errors: f.errors })));
      else message.error(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title={t('吹哨')} style={{ maxWidth: 880 }}>
      <Form form={form} layout="vertical" initialValues={{ mode: 'matter' }} onFinish={submit} aria-label={t('吹哨')} data-testid="whistle-form">
        <Form.Item name="mode" label={t('吹哨方式')}>
          <Radio.Group
            optionType="button"
            options={[
              { value: 'matter', label: t('按清单吹哨') },
              { value: 'free', label: t('自由选择部门') },
            ]}
          />
        </Form.Item>
        {mode === 'matter' ? (
          <>
            <Form.Item name="area" label={t('领域')}>
              <Select allowClear options={AREAS.map((a) => ({ value: a, label: l.area(a) }))} onChange={() => form.setFieldValue('matterCode', undefined)} />
            </Form.Item>
            <Form.Item name="matterCode" label={t('清单事项')} rules={[{ required: true }]}>
              <Select
                showSearch={{ optionFilterProp: 'label' }}
                data-testid="matter-picker"
                options={matters.filter((m) => !area || m.area === area).map((m) => ({ value: m.code, label: `${m.code} ${m.name}` }))}
              />
            </Form.Item>
            {matter && (
              <Descriptions size="small" bordered column={1} style={{ marginBottom: 16 }} data-testid="matter-details">
                <Descriptions.Item label={t('责任部门')}>{matter.departmentIds.map(orgName).join('、')}</Descriptions.Item>
                <Descriptions.Item label={t('事项类别')}>{l.category(matter.category)}</Descriptions.Item>
                <Descriptions.Item label={t('报到期限')}>{limit(matter.responseLimit, lang)}</Descriptions.Item>
                <Descriptions.Item label={t('办结期限')}>{limit(matter.completionLimit, lang)}</Descriptions.Item>
              </Descriptions>
            )}
          </>
        ) : (
          <>
            <Form.Item name="departmentIds" label={t('责任部门')} rules={[{ required: true }]}>
              <Select mode="multiple" showSearch={{ optionFilterProp: 'label' }} options={departments} data-testid="department-picker" />
            </Form.Item>
            <Form.Item name="category" label={t('事项类别')} rules={[{ required: true }]}>
              <Select options={CATEGORIES.map((c) => ({ value: c, label: l.category(c) }))} data-testid="category-picker" />
            </Form.Item>
          </>
        )}
        {chosen.length > 1 && (
          <Form.Item name="leadDepartmentId" label={t('牵头部门')} extra={t('默认为第一个部门')}>
            <Select allowClear options={chosen.map((id) => ({ value: id, label: orgName(id) }))} data-testid="lead-picker" />
          </Form.Item>
        )}
        <Form.Item name="title" label={t('标题')} rules={[{ required: true, whitespace: true }, { max: 120 }]}>
          <Input />
        </Form.Item>
        <Form.Item name="description" label={t('问题描述')} rules={[{ required: true, whitespace: true }]}>
          <Input.TextArea rows={4} />
        </Form.Item>
        <Form.Item name={['location', 'address']} label={t('地址')} rules={[{ required: true, whitespace: true }]}>
          <Input />
        </Form.Item>
        <Form.Item name={['location', 'grid']} label={t('网格')}>
          <Input />
        </Form.Item>
        <Form.Item name="sourceRef" label={t('来源编号')}>
          <Input placeholder="12345-20260302-0017" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy} size="large">
          {t('提交')}
        </Button>
      </Form>
    </Card>
  );
}
