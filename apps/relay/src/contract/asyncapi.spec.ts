import { join } from 'node:path';
import { fromFile, Parser, type AsyncAPIDocumentInterface, type Diagnostic } from '@asyncapi/parser';
import { CASE_EVENT_SCHEMA_VERSION, CASE_EVENT_TYPES } from '@chuishao/domain';
import { CONTRACTS_DIR, DEAD_LETTER_HEADERS_SCHEMA, eventSchemaPath, HEADERS_SCHEMA, readContract } from '../../../../test/contracts/contract-schemas';
import { loadRelayConfig } from '@chuishao/runtime';
import { CE_TYPE_PREFIX, countyTopic, deadLetterTopic } from '@chuishao/relay';

/** A schema as the parser holds it, without the ids it adds. */
function withoutParserIds(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutParserIds);
  if (!schema || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([k]) => !k.startsWith('x-parser-'))
      .map(([k, v]) => [k, withoutParserIds(v)]),
  );
}

/**
 * The file as a draft-07 reader (the parser) sees it: local $refs replaced by their definitions, and
 * what stands beside a $ref dropped (draft-07 ignores it; the files put only annotations there).
 */
function dereferenced(schema: Record<string, unknown>): unknown {
  const defs = (schema.$defs ?? {}) as Record<string, unknown>;
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object') return node;
    const ref = (node as { $ref?: unknown }).$ref;
    if (typeof ref === 'string' && ref.startsWith('#/$defs/')) return walk(defs[ref.slice('#/$defs/'.length)]);
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v)]));
  };
  return walk(schema);
}

/** Spectral's severities (the parser's diagnostics). */
const ERROR = 0;
const WARNING = 1;

describe('the AsyncAPI document of the county topics (contracts/asyncapi.yaml)', () => {
  let document: AsyncAPIDocumentInterface;
  let diagnostics: Diagnostic[];
  beforeAll(async () => {
    ({ document, diagnostics } = (await fromFile(new Parser(), join(CONTRACTS_DIR, 'asyncapi.yaml')).parse()) as never);
  }, 30_000);

  it('parses and validates with @asyncapi/parser: no error, no warning; the one notice is that 3.1.0 exists', () => {
    const summary = diagnostics.map((d) => `${d.severity} ${d.code} ${d.path.join('.')}`);
    expect(summary.filter((d) => d.startsWith(`${ERROR} `))).toEqual([]);
    expect(summary.filter((d) => d.startsWith(`${WARNING} `))).toEqual([]);
    expect(diagnostics.map((d) => d.code)).toEqual(['asyncapi-latest-version']);
    expect(document).toBeDefined();
    expect(document.version()).toBe('3.0.0');
  });

  it('names the topics the relay publishes to, with its default prefix', () => {
    const prefix = loadRelayConfig({ KAFKA_BROKERS: 'localhost:9092' }).relay.topicPrefix;
    expect(
      document
        .channels()
        .all()
        .map((c) => c.address()),
    ).toEqual([countyTopic(prefix, '{countyId}'), deadLetterTopic(prefix)]);
    expect(
      document
        .channels()
        .get('countyCaseEvents')!
        .parameters()
        .all()
        .map((p) => p.id()),
    ).toEqual(['countyId']);
    expect(
      document
        .operations()
        .all()
        .map((o) => [
          o.id(),
          o.action(),
          o
            .channels()
            .all()
            .map((c) => c.id()),
        ]),
    ).toEqual([
      ['publishCaseEvents', 'send', ['countyCaseEvents']],
      ['publishDeadLetters', 'send', ['deadLetter']],
    ]);
  });

  it('has one message per event type on the county channel: name = ce_type, key = case id, payload = the event file, headers = the envelope file', () => {
    const channel = document.channels().get('countyCaseEvents')!;
    expect(
      channel
        .messages()
        .all()
        .map((m) => m.id())
        .sort(),
    ).toEqual([...CASE_EVENT_TYPES].sort());
    const headers = readContract(HEADERS_SCHEMA);
    for (const type of CASE_EVENT_TYPES) {
      const m = channel.messages().get(type)!;
      const ceType = `${CE_TYPE_PREFIX}${type}.v${CASE_EVENT_SCHEMA_VERSION}`;
      expect(m.name()).toBe(ceType);
      // The parser resolves the $refs to the files: what it holds is the file itself, read as draft-07.
      const payload = m.payload()!.json() as { schemaFormat: string; schema: unknown };
      expect(payload.schemaFormat).toBe('application/schema+json;version=draft-07');
      expect(withoutParserIds(payload.schema)).toEqual(dereferenced(readContract(eventSchemaPath(type))));
      const [envelope, narrowed] = m.headers()!.allOf()!;
      expect(withoutParserIds(envelope.json())).toEqual(dereferenced(headers));
      expect(narrowed.properties()!.ce_type.const()).toBe(ceType);
      expect(m.bindings().get('kafka')!.value().key).toMatchObject({ type: 'string', format: 'uuid' });
      expect(m.correlationId()!.location()).toBe('$message.header#/ce_id');
    }
  });

  it('has the dead-letter message with its header file', () => {
    const dead = document.channels().get('deadLetter')!.messages().all();
    expect(dead.map((m) => m.id())).toEqual(['DeadLetter']);
    expect(withoutParserIds(dead[0].headers()!.json())).toEqual(dereferenced(readContract(DEAD_LETTER_HEADERS_SCHEMA)));
  });
});
