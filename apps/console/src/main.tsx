import { App as AntApp, ConfigProvider } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Shell } from './Shell';
import { I18nProvider, useI18n } from './i18n';
import { SessionProvider } from './session';
import './style.css';

/** Ant Design's defaults for links, placeholders and secondary text fall short of WCAG AA contrast (4.5:1). */
const THEME = {
  colorPrimary: '#b71c1c',
  colorLink: '#0950b3',
  colorError: '#c62828',
  colorTextPlaceholder: 'rgba(0, 0, 0, 0.6)',
  colorTextSecondary: 'rgba(0, 0, 0, 0.65)',
  colorTextTertiary: 'rgba(0, 0, 0, 0.6)',
  colorTextDescription: 'rgba(0, 0, 0, 0.6)',
  colorTextDisabled: 'rgba(0, 0, 0, 0.55)',
  lineWidthFocus: 3,
};

function Localized() {
  const { lang } = useI18n();
  dayjs.locale(lang === 'zh' ? 'zh-cn' : 'en');
  return (
    // Focus rings stay visible for keyboard users (the theme's outline on every focusable control).
    // No space inserted between two Chinese characters of a button ("报到", not "报 到"): screen readers read the word.
    <ConfigProvider locale={lang === 'zh' ? zhCN : enUS} button={{ autoInsertSpace: false }} theme={{ token: THEME }}>
      <AntApp>
        <SessionProvider>
          <Shell />
        </SessionProvider>
      </AntApp>
    </ConfigProvider>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nProvider>
      <Localized />
    </I18nProvider>
  </StrictMode>,
);
