import type { FieldError } from '@chuishao/domain';
import type { Directory } from '@chuishao/directory';
import { Problem } from '../http/problem';

/** Field errors for ids that are not departments of the caller's county (the directory is the truth). */
export function notCountyDepartments(directory: Directory, countyId: string, ids: { field: string; id: string }[]): FieldError[] {
  return ids.flatMap(({ field, id }) => {
    const org = directory.get(id);
    return org?.type === 'department' && org.countyId === countyId ? [] : [{ field, message: `${id} is not a department of this county` }];
  });
}

export function requireCountyDepartments(directory: Directory, countyId: string, ids: { field: string; id: string }[]): void {
  const errors = notCountyDepartments(directory, countyId, ids);
  if (errors.length) throw Problem.badRequest(errors.map((e) => e.message).join('; '), errors);
}
