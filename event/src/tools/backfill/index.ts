/** `npm run backfill`'s engine: see run.ts. */
export { readCheckpoint, type Checkpoint } from './checkpoint';
export { pageQuery } from './pages';
export { runBackfill } from './run';
export * from './types';
