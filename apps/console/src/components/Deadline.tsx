import { Tag, Typography } from 'antd';
import { useWorkingCalendar } from '../calendar';
import { useI18n } from '../i18n';
import { useSession } from '../session';
import { duration, formatInstant, workingMinutes } from '../time';

/**
 * A deadline as a countdown: working time for working-clock limits (on the county's calendar, holidays and 调休
 * included, once it has loaded), natural time for emergencies.
 */
export function Deadline({ dueAt, clock, done }: { dueAt: string; clock: string; done?: string | null }) {
  const { t, lang } = useI18n();
  const { serverNow } = useSession();
  const now = serverNow();
  const due = Date.parse(dueAt);
  const working = clock === 'working';
  const calendar = useWorkingCalendar(Math.min(now, due), Math.max(now, due), working && !done);
  if (done) return <Typography.Text type="secondary">{formatInstant(dueAt)}</Typography.Text>;
  if (due <= now) {
    const late = working ? workingMinutes(due, now, calendar) : (now - due) / 60_000;
    return (
      <span>
        <Tag color="#a8071a">
          {t('已逾期')} {duration(late, lang)}
        </Tag>
        <Typography.Text type="secondary" style={{ marginInlineStart: 4 }}>
          {formatInstant(dueAt)}
        </Typography.Text>
      </span>
    );
  }
  const left = working ? workingMinutes(now, due, calendar) : (due - now) / 60_000;
  return (
    <span>
      <Tag color="#0950b3">
        {t('剩余')} {duration(left, lang)}（{t(working ? '工作时间' : '自然时间')}）
      </Tag>
      <Typography.Text type="secondary" style={{ marginInlineStart: 4 }}>
        {formatInstant(dueAt)}
      </Typography.Text>
    </span>
  );
}
