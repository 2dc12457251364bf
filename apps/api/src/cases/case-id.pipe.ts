import { Injectable, type PipeTransform } from '@nestjs/common';
import { CaseNotFound } from '@chuishao/domain';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A case id that could never exist is simply not found: same answer as any unknown case. */
@Injectable()
export class CaseIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!UUID.test(value)) throw CaseNotFound.because(value);
    return value;
  }
}
