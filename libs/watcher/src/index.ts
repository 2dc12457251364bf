/** The deadline watcher (提醒/催办/督办 and re-basing on a new official calendar), through the one command path. */
export { DeadlineWatcher, type WatcherOptions } from './deadline-watcher';
export { closedSinceListed, watchCases } from './watch-cases';
