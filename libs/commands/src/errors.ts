/**
 * Why the command path refused or gave up, as stable codes: the HTTP filter maps each to a status, another caller
 * (the watcher) reads the code. Nothing was appended when any of these is thrown.
 */
export type CommandErrorCode = 'COMMAND.CONFLICT' | 'COMMAND.PRECONDITION_FAILED' | 'COMMAND.IDEMPOTENCY_KEY_REUSED';

export class CommandError extends Error {
  constructor(
    readonly code: CommandErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Every attempt lost the race to another writer of the case. */
export class CommandConflict extends CommandError {
  constructor(message: string) {
    super('COMMAND.CONFLICT', message);
  }
}

/** The caller asked for the command to apply only to a version of the case that is no longer (or not) the current one. */
export class PreconditionFailed extends CommandError {
  constructor(message: string) {
    super('COMMAND.PRECONDITION_FAILED', message);
  }
}

/** An idempotency key that an earlier, different request already used. */
export class IdempotencyKeyReused extends CommandError {
  constructor(message: string) {
    super('COMMAND.IDEMPOTENCY_KEY_REUSED', message);
  }
}
