import { CASE_EVENT_SCHEMA_VERSION, CASE_EVENT_UPCASTERS, caseEventDecoder, decode, evolve, UndecodableEvent, type Upcaster } from '.';
import { caseIdOf, caseStream, isCaseStream } from './streams';
import { blow, history } from '../test/fixtures';

describe('case streams', () => {
  it('names a case stream and reads the case id back', () => {
    expect(caseStream('7d3f')).toBe('case-7d3f');
    expect(caseIdOf(caseStream('7d3f-报'))).toBe('7d3f-报');
  });

  it('reads no case id from a stream that is not a case stream', () => {
    expect(caseIdOf('scoring-1')).toBeNull();
    expect(caseIdOf('case-')).toBeNull();
    expect(caseIdOf('Case-1')).toBeNull();
    expect(['case-1', 'scoring-1', 'case-', 'Case-1'].map(isCaseStream)).toEqual([true, false, false, false]);
  });
});

describe('decode', () => {
  const [blown] = history(blow());
  const stored = { ...blown, streamName: caseStream(blown.data.caseId), revision: 0, metadata: { schemaVersion: CASE_EVENT_SCHEMA_VERSION } };

  it('reads an event of the current schema version as it was written', () => {
    expect(CASE_EVENT_UPCASTERS.size).toBe(0);
    const event = decode(stored);
    expect({ type: event.type, data: event.data }).toEqual(blown);
    expect(evolve(null, event)).toEqual(evolve(null, blown));
  });

  it('reads an event without metadata (a foldable read) as current while there is nothing to upcast', () => {
    expect(decode({ type: blown.type, data: blown.data })).toMatchObject(blown);
  });

  describe('with an upcaster from a fake older version', () => {
    // Version 1 of this made-up schema called the title "subject"; version 2 renamed it.
    const renameSubject: Upcaster = (e) => {
      if (e.type !== 'WhistleBlown') return e;
      const { subject, ...rest } = e.data;
      return { type: e.type, data: { ...rest, title: subject } };
    };
    const decodeV2 = caseEventDecoder(new Map([[1, renameSubject]]), 2);
    const { title, ...withoutTitle } = blown.data as { title: string };
    const old = { type: 'WhistleBlown', data: { ...withoutTitle, subject: title }, metadata: { schemaVersion: 1 } };

    it('lifts an old event to the current shape, leaving what it stored alone', () => {
      const event = decodeV2(old);
      expect(event).toEqual(blown);
      expect(old.data).toHaveProperty('subject', title);
    });

    it('reads a current event unchanged', () => {
      expect(decodeV2({ ...blown, metadata: { schemaVersion: 2 } })).toMatchObject(blown);
    });

    it('refuses an event whose version it cannot tell, once there is something to upcast', () => {
      expect(() => decodeV2({ type: blown.type, data: blown.data })).toThrow(UndecodableEvent);
    });

    it('refuses a version with no upcaster chain to the current one, and a newer one', () => {
      expect(() => decodeV2({ ...old, metadata: { schemaVersion: 0 } })).toThrow(/no upcaster from schema version 0/);
      expect(() => decodeV2({ ...old, metadata: { schemaVersion: 3 } })).toThrow(/not one this release reads/);
      expect(() => decodeV2({ ...old, metadata: { schemaVersion: '1' } })).toThrow(UndecodableEvent);
    });
  });
});
