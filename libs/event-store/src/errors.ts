/** The stream's revision was not the one the writer expected: someone else wrote first. */
export class WrongExpectedRevision extends Error {
  readonly code = 'STORE.WRONG_EXPECTED_REVISION';
  constructor(
    readonly streamName: string,
    readonly expected: number | 'no_stream' | 'any',
    readonly actual: number | 'no_stream',
  ) {
    super(`stream ${streamName}: expected revision ${expected}, actual ${actual}`);
    this.name = 'WrongExpectedRevision';
  }
}

/** An append reused an idempotency key that an earlier committed append already carries. */
export class IdempotencyKeyUsed extends Error {
  readonly code = 'STORE.IDEMPOTENCY_KEY_USED';
  constructor(readonly idempotencyKey: string) {
    super(`idempotency key already used: ${idempotencyKey}`);
    this.name = 'IdempotencyKeyUsed';
  }
}

/** The store is unreachable or failed; nothing is known to have been written. */
export class StoreUnavailable extends Error {
  readonly code = 'STORE.UNAVAILABLE';
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'StoreUnavailable';
  }
}
