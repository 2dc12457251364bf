import { CaseNotFound, InvalidState } from '@chuishao/domain';
import { closedSinceListed } from './watch-cases';

describe('the watcher’s errors', () => {
  it('takes a refusal because the case is no longer open as the inbox trailing the store, and nothing else', () => {
    expect(closedSinceListed(InvalidState.caseNotOpen('c1', 'closed'))).toBe(true);
    expect(closedSinceListed(InvalidState.caseNotOpen('c1', 'withdrawn'))).toBe(true);
    expect(closedSinceListed(CaseNotFound.because('c1'))).toBe(false);
    expect(closedSinceListed(new Error('database is locked'))).toBe(false);
  });
});
