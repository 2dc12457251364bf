/**
 * Domain errors carry a stable code; one HTTP filter maps codes to statuses, so a reader finds every
 * rule's failure here and every status there.
 */
export type DomainErrorCode =
  | 'CASE.NOT_FOUND'
  | 'CASE.ALREADY_EXISTS'
  | 'CASE.INVALID_STATE'
  | 'CASE.FORBIDDEN'
  | 'CASE.NOT_PART_HOLDER'
  | 'CASE.VALIDATION'
  | 'CASE.LIMIT_REACHED'
  | 'CASE.WINDOW_CLOSED';

export interface FieldError {
  field: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly fieldErrors: FieldError[] = [],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const CaseNotFound = {
  because: (caseId: string) => new DomainError('CASE.NOT_FOUND', `case ${caseId} not found`),
};

export const CaseAlreadyExists = {
  because: (caseId: string) => new DomainError('CASE.ALREADY_EXISTS', `case ${caseId} already exists`),
};

export const InvalidState = {
  caseNotOpen: (caseId: string, status: string) => new DomainError('CASE.INVALID_STATE', `case ${caseId} is ${status}; nothing more can be done on it`),
  part: (departmentId: string, status: string, wanted: string) =>
    new DomainError('CASE.INVALID_STATE', `the part of ${departmentId} is ${status}; cannot ${wanted}`),
  alreadyReviewed: (departmentId: string, round: number) =>
    new DomainError('CASE.INVALID_STATE', `the part of ${departmentId} was already reviewed in round ${round}`),
};

/** The practice's moves have limits: extensions per part, one pending request at a time, appeal windows. */
export const WorkflowRefused = {
  limit: (message: string) => new DomainError('CASE.LIMIT_REACHED', message),
  windowClosed: (message: string) => new DomainError('CASE.WINDOW_CLOSED', message),
};

export const Forbidden = {
  role: (role: string, action: string) => new DomainError('CASE.FORBIDDEN', `a ${role} may not ${action}`),
  notRaisingTownship: (action: string) => new DomainError('CASE.FORBIDDEN', `only the township that raised the case may ${action}`),
  notPartHolder: (orgId: string) => new DomainError('CASE.NOT_PART_HOLDER', `${orgId} holds no open part of this case`),
};

export const Invalid = {
  field: (field: string, message: string) => new DomainError('CASE.VALIDATION', `${field}: ${message}`, [{ field, message }]),
  /** Several fields at fault at once, each named (the detail lists the messages). */
  fields: (errors: FieldError[]) => new DomainError('CASE.VALIDATION', errors.map((e) => e.message).join('; '), errors),
};
