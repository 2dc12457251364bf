import { ValidationPipe, type ValidationError } from '@nestjs/common';
import type { FieldError } from '@chuishao/domain';
import { Problem } from './problem';

/** class-validator on request DTOs only: whitelist, unknown fields refused, every field named. */
export function validationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    // One message per field: the first rule it breaks (a missing title is "should not be empty", not three messages).
    stopAtFirstError: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const fields = flatten(errors);
      return Problem.badRequest(fields.map((f) => `${f.field}: ${f.message}`).join('; '), fields);
    },
  });
}

/** A key that would not read as a name in a dotted path (empty, with dots, brackets, quotes or spaces) is quoted. */
const PLAIN_KEY = /^[^\s.[\]"]+$/u;

/** How every error names a field: `location.lat`, `departmentIds[1]`, `[""]` for an empty key. */
export function fieldPath(prefix: string, key: string | number): string {
  if (typeof key === 'number' || /^\d+$/.test(key)) return `${prefix}[${key}]`;
  if (!PLAIN_KEY.test(key)) return `${prefix}[${JSON.stringify(key)}]`;
  return prefix ? `${prefix}.${key}` : key;
}

function flatten(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = fieldPath(prefix, e.property);
    // An unknown key's message names the key again ("property x should not exist"), whatever characters it has.
    const own = Object.entries(e.constraints ?? {}).map(([rule, message]) => ({
      field,
      message: rule === 'whitelistValidation' ? 'should not exist' : message.replace(/^property \S+ /, ''),
    }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}
