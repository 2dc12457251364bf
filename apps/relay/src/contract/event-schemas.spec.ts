import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CASE_EVENT_TYPES } from '@chuishao/domain';
import { CaseEventGenerator } from '../../fixtures/case-event-generator';
import { checkSchema } from '../../fixtures/json-schema-check';
import { EVENT_SCHEMAS } from './event-schemas';

describe('the event schemas of the county contract', () => {
  it('cover every case event type', () => {
    expect(Object.keys(EVENT_SCHEMAS).sort()).toEqual([...CASE_EVENT_TYPES].sort());
  });

  it('describe every field of what the decider records (strictly: no undocumented field)', () => {
    const generator = new CaseEventGenerator({ seed: 11 });
    const seen = new Set<string>();
    for (let i = 0; i < 5_000; i++) {
      for (const e of generator.next().events) {
        seen.add(e.type);
        const value = JSON.parse(JSON.stringify(e.data)); // what the consumer receives
        expect({ type: e.type, problems: checkSchema(EVENT_SCHEMAS[e.type], value, { strict: true }) }).toEqual({ type: e.type, problems: [] });
      }
    }
    expect([...seen].sort()).toEqual([...CASE_EVENT_TYPES].sort());
  });

  it('are the ones docs/relay.md publishes', () => {
    const docs = readFileSync(join(__dirname, '../../../../docs/relay.md'), 'utf8');
    const published = new Map<string, unknown>();
    for (const [, block] of docs.matchAll(/```json\n([\s\S]*?)```/g)) {
      const parsed = JSON.parse(block);
      if (typeof parsed.$id === 'string') published.set(parsed.$id, parsed);
    }
    for (const schema of Object.values(EVENT_SCHEMAS)) expect(published.get(schema.$id as string)).toEqual(schema);
  });
});
