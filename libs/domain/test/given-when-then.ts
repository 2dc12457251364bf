import { decide, DEFAULT_POLICY, DomainError, foldCase, type CaseCommand, type CaseEvent, type CasePolicy } from '../src';

/** given(history).when(command).then(events) | .thenThrows(code): the decider's specification form. */
export function given(history: CaseEvent[], policy: CasePolicy = DEFAULT_POLICY) {
  return {
    when(command: CaseCommand) {
      const run = () => decide(command, foldCase(history), policy);
      return {
        // biome-ignore lint/suspicious/noThenProperty: given/when/then reads as the spec it is; nothing awaits it
        then(expected: CaseEvent[]) {
          expect(run()).toEqual(expected);
        },
        thenThrows(code: string, message?: RegExp) {
          let error: unknown;
          try {
            run();
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(DomainError);
          expect((error as DomainError).code).toBe(code);
          if (message) expect((error as DomainError).message).toMatch(message);
        },
        events: run,
      };
    },
  };
}
