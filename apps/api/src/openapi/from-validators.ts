import { ApiProperty } from '@nestjs/swagger';
import { getMetadataStorage, IS_ISO8601, IS_LATITUDE, IS_LONGITUDE, MAX, MIN, ValidationTypes } from 'class-validator';
import { targetConstructorToSchema } from 'class-validator-jsonschema';
import type { SchemaObject } from '@nestjs/swagger';
import { INSTANT } from '../http/validators';

// class-transformer keeps its @Type() metadata here (the nested DTOs); the package publishes no typings for the path.
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as typeof import('class-transformer/types/storage');

/**
 * The request DTOs' schemas come from their class-validator decorators (read by class-validator-jsonschema), so
 * what the document allows is what the ValidationPipe accepts: required, types, enums, lengths, patterns, sizes.
 * Descriptions and examples are added on top (describeDto, from operations.ts, which also gives each body examples).
 */
const converters = {
  // Min/Max apply to integers too: they say nothing about the type (the defaults would make an @IsInt a number).
  [MIN]: (meta: { constraints: number[] }) => ({ minimum: meta.constraints[0] }),
  [MAX]: (meta: { constraints: number[] }) => ({ maximum: meta.constraints[0] }),
  // class-validator also takes these as numeric strings; the document states the JSON number clients send.
  [IS_LATITUDE]: { type: 'number' as const, minimum: -90, maximum: 90 },
  [IS_LONGITUDE]: { type: 'number' as const, minimum: -180, maximum: 180 },
  // Either a date or a date-time (not both at once: oneOf would refuse every value).
  [IS_ISO8601]: { type: 'string' as const, anyOf: [{ format: 'date' }, { format: 'date-time' }] },
  // The scorecard period's own validators (scorecard-params.ts).
  isLocalDate: { type: 'string' as const, format: 'date' },
  isCalendarDate: { type: 'string' as const, format: 'date' },
  isInstant: { type: 'string' as const, format: 'date-time', pattern: INSTANT.source },
  isDateOrInstant: { type: 'string' as const, anyOf: [{ format: 'date' }, { format: 'date-time', pattern: INSTANT.source }] },
};

type PropertyDocs<T> = { [K in keyof T]?: { description?: string; example?: unknown } };
const docs = new Map<Function, PropertyDocs<unknown>>();

/** Descriptions and examples for a DTO's properties (typed by the DTO: a renamed field fails the typecheck). */
export function describeDto<T>(dto: new () => T, properties: PropertyDocs<T>): void {
  docs.set(dto, properties as PropertyDocs<unknown>);
}

/** Every class class-validator knows (the request DTOs), turned into @nestjs/swagger property metadata; their names. */
export function documentValidatedDtos(): ReadonlySet<string> {
  const storage = getMetadataStorage() as unknown as { validationMetadatas: Map<Function, unknown> };
  for (const dto of storage.validationMetadatas.keys()) documentDto(dto);
  return new Set([...storage.validationMetadatas.keys()].map((dto) => dto.name));
}

const documented = new WeakSet<Function>();

function documentDto(dto: Function): void {
  if (documented.has(dto)) return;
  documented.add(dto);
  const schema = targetConstructorToSchema(dto, {
    additionalConverters: converters,
    classTransformerMetadataStorage: defaultMetadataStorage,
    refPointerPrefix: '#/components/schemas/',
  }) as SchemaObject;
  const required = new Set(schema.required ?? []);
  const own = docs.get(dto) as Record<string, { description?: string; example?: unknown }> | undefined;
  for (const [name, property] of Object.entries(schema.properties ?? {}) as [string, SchemaObject & { $ref?: string }][]) {
    ApiProperty({ ...toSwagger(dto, name, property), ...own?.[name], required: required.has(name) })(dto.prototype, name);
  }
}

/** A property's JSON Schema as @nestjs/swagger options: nested DTOs by class, so they become components. */
function toSwagger(dto: Function, name: string, property: SchemaObject & { $ref?: string }): Record<string, unknown> {
  const nested = nestedType(dto, name);
  if (property.$ref && nested) {
    documentDto(nested);
    return { type: nested };
  }
  const { items, ...rest } = property;
  if (rest.type === 'array') return { ...rest, type: 'array', items: items ?? {} };
  return rest;
}

function nestedType(dto: Function, name: string): Function | undefined {
  const meta = defaultMetadataStorage.findTypeMetadata(dto, name);
  const nestedValidation = getMetadataStorage()
    .getTargetValidationMetadatas(dto, '', true, false)
    .some((m) => m.propertyName === name && m.type === ValidationTypes.NESTED_VALIDATION);
  return nestedValidation ? (meta?.typeFunction() as Function | undefined) : undefined;
}
