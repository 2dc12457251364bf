export * from './case-command-handler';
export * from './case-loader';
export * from './errors';
