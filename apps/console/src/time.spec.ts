import { duration, formatInstant, workingMinutes } from './time';

// Instants in county time (UTC+8): 2026-03-02 is a Monday.
const at = (local: string) => Date.parse(`${local}+08:00`);

describe('console time helpers', () => {
  it('counts working minutes inside the morning and afternoon windows only', () => {
    expect(workingMinutes(at('2026-03-02T09:00:00'), at('2026-03-02T11:00:00'))).toBe(120);
    // 11:00–12:00 and 13:30–14:00: the lunch break does not count.
    expect(workingMinutes(at('2026-03-02T11:00:00'), at('2026-03-02T14:00:00'))).toBe(90);
    // From the evening to the next morning: only 08:30–09:00 counts.
    expect(workingMinutes(at('2026-03-02T18:00:00'), at('2026-03-03T09:00:00'))).toBe(30);
  });

  it('skips the weekend: Friday 17:00 to Monday 09:00 is one working hour', () => {
    expect(workingMinutes(at('2026-03-06T17:00:00'), at('2026-03-09T09:00:00'))).toBe(60);
  });

  it('is zero when the deadline is not after now', () => {
    expect(workingMinutes(at('2026-03-02T10:00:00'), at('2026-03-02T09:00:00'))).toBe(0);
  });

  it('formats instants in county time and durations in Chinese or English', () => {
    expect(formatInstant('2026-03-02T01:30:00.000Z')).toBe('2026-03-02 09:30');
    expect(formatInstant(null)).toBe('—');
    expect(duration(60 * 26 + 5, 'zh')).toBe('1天2小时5分钟');
    expect(duration(45, 'en')).toBe('45m');
  });
});
