export * from './refusal';
export { RefusalAggregator, type AggregationLimits } from './aggregator';
export { RefusalRecorder, type RecorderOptions } from './recorder';
export { decodeCursor, encodeCursor, InvalidAuditCursor, readAudit, type AuditCursor, type AuditItem, type AuditPage, type AuditQuery } from './reader';
export { auditCsv, AUDIT_CSV_COLUMNS } from './csv';
