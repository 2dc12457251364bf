import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { PUBLIC } from '../auth/auth.guard';
import { documentValidatedDtos } from './from-validators';
import { OpenApiRoute } from './openapi.route';
import { describeOperations, MODELS, OPERATIONS, TAGS } from './operations';
import { ReadModelHealth } from './schemas/health.schemas';

/** Where the interactive reference (Swagger UI, served from swagger-ui-dist on this server: no CDN) lives. */
export const DOCS_PATH = 'docs';

/**
 * Generates the OpenAPI document from the application's routes and DTOs, serves it at /v1/openapi.json and the
 * interactive reference at /docs. Called before app.init(): Express matches routes in the order they are added.
 */
export function setupOpenApi(app: INestApplication): OpenAPIObject {
  describeOperations();
  const dtos = documentValidatedDtos();
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('Chuishao (吹哨) API')
    .setDescription(
      '乡镇吹哨、部门报到: a township raises a case (吹哨) to the county departments it names; they report in (报到), transfer (转办) ' +
        'or complete (办结) their part, the township reviews each (一事一评), and the command centre urges or reassigns (督办). ' +
        'Every step is an event (全程留痕). Errors are application/problem+json (RFC 9457) naming the field at fault.',
    )
    .setVersion('1.0.0')
    .addServer('/', 'This server')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'Claims: `sub` (user), `org`, `role`. In development POST /v1/dev/tokens issues one.',
      },
      'bearer',
    )
    .addSecurityRequirements('bearer');
  for (const tag of TAGS) config.addTag(tag.name, tag.description);
  const generated = SwaggerModule.createDocument(app, config.build(), { extraModels: [ReadModelHealth, ...MODELS], autoTagControllers: false });
  const document = finish(generated, dtos);
  app.get(OpenApiRoute).serve(document);
  SwaggerModule.setup(DOCS_PATH, app, document, {
    raw: false,
    customSiteTitle: 'Chuishao (吹哨) API',
    // The online validator badge would call validator.swagger.io: county intranets have no internet.
    swaggerOptions: { validatorUrl: null, defaultModelsExpandDepth: 0, tryItOutEnabled: false },
  });
  return document;
}

/** What @nestjs/swagger leaves to say: OpenAPI 3.1 nullability, public routes, and the rules the DTO classes cannot state. */
function finish(document: OpenAPIObject, dtos: ReadonlySet<string>): OpenAPIObject {
  const publicIds = new Set([...OPERATIONS].filter(([handler]) => Reflect.getMetadata(PUBLIC, handler) === true).map(([, id]) => id));
  for (const item of Object.values(document.paths)) {
    for (const op of Object.values(item) as { operationId?: string; security?: unknown[] }[]) {
      if (op.operationId && publicIds.has(op.operationId)) op.security = [];
    }
  }
  const schemas = document.components?.schemas ?? {};
  // The ValidationPipe refuses unknown fields (forbidNonWhitelisted).
  for (const name of dtos) if (schemas[name]) Object.assign(schemas[name], { additionalProperties: false });
  // BlowWhistleDto's @ValidateIf: category and departmentIds may be left out only for a catalogue matter.
  Object.assign(schemas.BlowWhistleDto, { anyOf: [{ required: ['matterCode'] }, { required: ['category', 'departmentIds'] }] });
  // decide() refuses text that says nothing (only spaces or invisible characters: libs/domain/src/text.ts).
  const NON_BLANK: Record<string, string[]> = {
    BlowWhistleDto: ['title', 'description'],
    LocationDto: ['address'],
    TransferDto: ['reason'],
    CompleteDto: ['result'],
    WithdrawDto: ['reason'],
    UrgeDto: ['note'],
    ReassignDto: ['reason'],
    RequestExtensionDto: ['reason'],
    ReturnPartDto: ['reason'],
    AppealReviewDto: ['reason'],
    DecideAppealDto: ['note'],
  };
  for (const [dto, fields] of Object.entries(NON_BLANK)) {
    for (const field of fields) Object.assign((schemas[dto] as { properties: Record<string, object> }).properties[field], { pattern: '[^\\s\\p{Cf}]' });
  }
  // decide() refuses a department named twice.
  Object.assign((schemas.BlowWhistleDto as { properties: Record<string, object> }).properties.departmentIds, { uniqueItems: true });
  return toOas31(document) as OpenAPIObject;
}

/** @nestjs/swagger writes OpenAPI 3.0's `nullable: true`; 3.1 (JSON Schema 2020-12) says it with the type `null`. */
function toOas31(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toOas31);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = toOas31(v);
  if (out.nullable !== true) return out;
  delete out.nullable;
  // A nullable object: swagger writes { type: 'object', allOf: [{ $ref }] } (or a bare $ref).
  const { allOf, $ref, ...rest } = out as { allOf?: unknown[]; $ref?: string; type?: unknown };
  if ($ref || allOf) {
    delete rest.type;
    return { ...rest, oneOf: [$ref ? { $ref } : allOf!.length === 1 ? allOf![0] : { allOf }, { type: 'null' }] };
  }
  if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
  return typeof out.type === 'string' ? { ...out, type: [out.type, 'null'] } : out;
}
