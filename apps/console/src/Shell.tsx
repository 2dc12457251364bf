import { App, Button, Select, Space, Spin, Tag } from 'antd';
import { api, must } from './api/client';
import { formatInstant } from './time';
import { lazy, Suspense, useEffect } from 'react';
import { useI18n } from './i18n';
import { labels } from './labels';
import { Link, navigate, usePath } from './router';
import { useSession, type Role } from './session';
import { SignIn } from './pages/SignIn';

// Each role's pages are their own chunks: the initial route loads only the shell, sign-in and the page shown.
const WhistleForm = lazy(() => import('./pages/WhistleForm'));
const CaseList = lazy(() => import('./pages/CaseList'));
const CasePage = lazy(() => import('./pages/CasePage'));
const Board = lazy(() => import('./pages/Board'));
const Scorecards = lazy(() => import('./pages/Scorecards'));
const Audit = lazy(() => import('./pages/Audit'));

const NAV: Record<Role, { to: string; label: string }[]> = {
  township: [
    { to: '/cases', label: '我的吹哨' },
    { to: '/whistle', label: '吹哨' },
  ],
  department: [{ to: '/cases', label: '待办' }],
  command_centre: [
    { to: '/board', label: '督办看板' },
    { to: '/cases', label: '案件' },
    { to: '/audit', label: '审计日志' },
  ],
  assessment_office: [{ to: '/scorecards', label: '考核' }],
};

export function Shell() {
  const { t, lang, setLang } = useI18n();
  const { session, orgName, signOut, config, serverNow, refresh } = useSession();
  const { message } = App.useApp();
  const path = usePath();
  const pathname = path.split('?')[0];
  const home = session ? NAV[session.role][0].to : '/signin';

  useEffect(() => {
    if (pathname === '/auth/callback') return;
    if (!session && pathname !== '/signin') navigate('/signin');
    else if (session && (pathname === '/' || pathname === '/signin')) navigate(home);
  }, [session, pathname, home]);

  let page = null;
  if (!session) page = pathname === '/auth/callback' ? <Spin /> : <SignIn />;
  else if (pathname === '/whistle' && session.role === 'township') page = <WhistleForm />;
  else if (pathname === '/cases') page = <CaseList />;
  else if (pathname.startsWith('/cases/')) page = <CasePage caseId={decodeURIComponent(pathname.slice('/cases/'.length))} />;
  else if (pathname === '/board' && session.role === 'command_centre') page = <Board />;
  else if (pathname === '/audit' && session.role === 'command_centre') page = <Audit />;
  else if (pathname === '/scorecards' && session.role === 'assessment_office') page = <Scorecards />;

  return (
    <>
      <a className="skip-link" href="#main">
        {lang === 'zh' ? '跳到主要内容' : 'Skip to content'}
      </a>
      <header className="app-header">
        <h1>
          {t('吹哨报到')} · {t('青川县')}
        </h1>
        <div className="who">
          {session && (
            <span data-testid="signed-in">
              <Tag color="#fff" style={{ color: '#5c0011' }}>
                {labels(lang).role(session.role)}
              </Tag>
              <span style={{ color: '#fff' }}>
                {orgName(session.orgId)} · {session.userId}
              </span>
            </span>
          )}
          <Space>
            {config?.simulatedClock && (
              // CLOCK=simulated (development): demos move server time to watch reminders and overdue alerts.
              <Button
                size="small"
                data-testid="advance-clock"
                onClick={async () => {
                  const { now } = await must(api.POST('/v1/dev/clock/advance', { body: { minutes: 60 } }));
                  await refresh();
                  message.info(`${lang === 'zh' ? '模拟时钟' : 'Simulated clock'}: ${formatInstant(now)}`);
                }}
              >
                {lang === 'zh'
                  ? `模拟时钟 ${formatInstant(new Date(serverNow()).toISOString())} · +1小时`
                  : `Clock ${formatInstant(new Date(serverNow()).toISOString())} · +1 h`}
              </Button>
            )}
            <Select
              aria-label={t('语言')}
              size="small"
              value={lang}
              onChange={setLang}
              options={[
                { value: 'zh', label: '中文' },
                { value: 'en', label: 'English' },
              ]}
              style={{ width: 100 }}
            />
            {session && (
              <Button size="small" onClick={() => void signOut()} data-testid="sign-out">
                {t('退出')}
              </Button>
            )}
          </Space>
        </div>
      </header>
      {session && (
        <nav className="app-nav" aria-label={lang === 'zh' ? '主导航' : 'Main'}>
          {NAV[session.role].map((n) => (
            <Link key={n.to} to={n.to} aria-current={pathname === n.to ? 'page' : undefined}>
              {t(n.label)}
            </Link>
          ))}
        </nav>
      )}
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Spin />}>{page ?? <Spin />}</Suspense>
      </main>
    </>
  );
}
