export * from './random';
export * from './orgs';
export * from './recorder';
export * from './script';
export * from './actions';
export * from './simulation';
