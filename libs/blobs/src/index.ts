export * from './port';
export * from './fs-blob-store';
export * from './sniff';
export * from './attachment-catalog';
