/** Rebuilding a read model into new tables while the old ones serve: generations/generational-projection.ts says how. */
export * from './generations/generational-projection';
export * from './generations/table';
export * from './generations/live';
export * from './generations/rebuild';
export { catchUpInPartitions, type PartitionTask } from './generations/partitions';
export { switchTo } from './generations/switch';
