import { Select, Tag } from 'antd';
import { useI18n } from '../i18n';
import { labels, PENDING_COLOR, PENDING_MOVES, type PendingMove } from '../labels';

/** A case's pending moves as tags (待审批延期 / 待审定退单 / 申诉中); nothing when it awaits none. */
export function PendingTags({ pending, testId = 'pending-badge' }: { pending: readonly string[]; testId?: string }) {
  const { lang } = useI18n();
  const l = labels(lang);
  return (
    <>
      {pending.map((m) => (
        <Tag key={m} color={PENDING_COLOR} data-testid={`${testId}-${m}`}>
          {l.pending(m)}
        </Tag>
      ))}
    </>
  );
}

/** The filter of GET /v1/cases?pending=…: cleared, it filters nothing. */
export function PendingSelect({ value, onChange }: { value: PendingMove | undefined; onChange: (m: PendingMove | undefined) => void }) {
  const { t, lang } = useI18n();
  const l = labels(lang);
  return (
    <Select<PendingMove>
      aria-label={t('待审批事项')}
      allowClear
      placeholder={t('待审批事项')}
      value={value}
      onChange={(m) => onChange(m ?? undefined)}
      style={{ width: 160 }}
      options={PENDING_MOVES.map((m) => ({ value: m, label: l.pending(m) }))}
    />
  );
}
