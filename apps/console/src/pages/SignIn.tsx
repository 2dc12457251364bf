import { Alert, Button, Card, Divider, Form, Input, Select } from 'antd';
import { useState } from 'react';
import { ApiError } from '../api/client';
import { useI18n } from '../i18n';
import { labels } from '../labels';
import { useSession } from '../session';

const ORDER = ['township', 'department', 'command_centre', 'assessment_office'];

export function SignIn() {
  const { t, lang } = useI18n();
  const { config, orgs, signInDev, signInOidc } = useSession();
  const [error, setError] = useState<string | null>(null);
  const [form] = Form.useForm<{ orgId: string; userId: string }>();
  const l = labels(lang);
  const groups = ORDER.map((type) => ({
    label: l.role(type),
    title: l.role(type),
    options: orgs.filter((o) => o.type === type).map((o) => ({ value: o.id, label: o.name })),
  }));

  return (
    <Card title={t('登录')} style={{ maxWidth: 480, margin: '32px auto' }}>
      {config?.oidc && (
        <Button type="primary" block size="large" onClick={() => void signInOidc()} data-testid="oidc-sign-in">
          {t('以政务身份登录')}
        </Button>
      )}
      {config && !config.oidc && !config.devSignIn && (
        <Alert
          type="warning"
          title={lang === 'zh' ? '未配置登录方式：请设置 OIDC_ISSUER 和 OIDC_CLIENT_ID' : 'No sign-in configured: set OIDC_ISSUER and OIDC_CLIENT_ID'}
          data-testid="no-sign-in"
        />
      )}
      {config?.oidc && config.devSignIn && <Divider />}
      {config?.devSignIn && (
        <Form
          form={form}
          layout="vertical"
          aria-label={t('开发环境登录')}
          onFinish={async (v) => {
            setError(null);
            try {
              await signInDev(v.orgId, v.userId);
            } catch (e) {
              if (e instanceof ApiError) form.setFields(e.fields.map((f) => ({ name: f.name as never, errors: f.errors })));
              setError(e instanceof Error ? e.message : String(e));
            }
          }}
        >
          <Alert type="info" showIcon title={t('开发环境登录')} style={{ marginBottom: 16 }} />
          <Form.Item name="orgId" label={t('机构')} rules={[{ required: true }]}>
            <Select showSearch={{ optionFilterProp: 'label' }} options={groups} data-testid="org-picker" placeholder={t('机构')} />
          </Form.Item>
          <Form.Item name="userId" label={t('用户')} rules={[{ required: true }, { pattern: /^[A-Za-z0-9._@-]{1,64}$/ }]}>
            <Input autoComplete="username" placeholder="wang.fang" />
          </Form.Item>
          {error && <Alert type="error" title={error} style={{ marginBottom: 16 }} />}
          <Button type="primary" htmlType="submit" block>
            {t('登录')}
          </Button>
        </Form>
      )}
    </Card>
  );
}
