export * from './read-model-db';
export * from './projection';
export * from './projection-runner';
export * from './generations';
export * from './partitioned-catch-up';
export * from './case-inbox.projection';
export * from './case-inbox.query';
export * from './table-rows';
