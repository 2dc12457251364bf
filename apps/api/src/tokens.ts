export const CLOCK = Symbol('Clock');
export const EVENT_STORE = Symbol('EventStore');
export const DIRECTORY = Symbol('Directory');
export const READ_MODELS = Symbol('ReadModels');
export const CONFIG = Symbol('AppConfig');
export const POLICY = Symbol('CasePolicy');
export const CATALOG = Symbol('Catalog');
export const CALENDARS = Symbol('CalendarRegistry');
/** The library command handler (@chuishao/commands): the one command path, for the routes and the watcher. */
export const COMMAND_HANDLER = Symbol('CaseCommandHandler');
/** The service's Prometheus metrics (observability/metrics.ts). */
export const METRICS = Symbol('Metrics');
/** The versioned assessment policy (@chuishao/policy): scoring weights and the moves' limits. */
export const POLICY_BOOK = Symbol('PolicyBook');
