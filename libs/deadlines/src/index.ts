export * from './county-policy';
