export * from './actor';
export * from './events';
export * from './commands';
export * from './errors';
export * from './policy';
export * from './case.state';
export * from './case.decide';
export * from './visibility';
