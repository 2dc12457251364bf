/** A case's events form one stream; this module is the only place that knows how its name is spelt. */
const CASE_STREAM_PREFIX = 'case-';

export function caseStream(caseId: string): string {
  return `${CASE_STREAM_PREFIX}${caseId}`;
}

/** Whether a stream is a case stream, without making its case id (for loops over every event of a store). */
export function isCaseStream(streamName: string): boolean {
  return streamName.startsWith(CASE_STREAM_PREFIX) && streamName.length > CASE_STREAM_PREFIX.length;
}

/** The case id of a case stream, or null for a stream that is not one (other streams may share the store). */
export function caseIdOf(streamName: string): string | null {
  return streamName.startsWith(CASE_STREAM_PREFIX) && streamName.length > CASE_STREAM_PREFIX.length ? streamName.slice(CASE_STREAM_PREFIX.length) : null;
}
