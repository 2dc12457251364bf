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

function flatten(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = /^\d+$/.test(e.property) ? `${prefix}[${e.property}]` : prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({ field, message: message.replace(/^property \S+ /, '') }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}
