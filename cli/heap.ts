/**
 * Heap tuning for `metricops feedback`, a long-running process whose heap is mostly its informer cache: V8's defaults
 * size the young generation for throughput, and after the one-off burst of the initial lists (20,000 objects parsed
 * and slimmed in a few seconds) it keeps the grown heap for a long while. Measured on 10,000 Deployments and their
 * ReplicaSets against a stand-in apiserver: RSS 152 MB with the defaults, 111 MB with --optimize-for-size, 95 MB with
 * both this and the full collections after the lists (bench/results/feedback.md has the real control plane's).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Tells V8 to favour memory over speed (--optimize-for-size: a smaller young generation, earlier old-generation
 * collections) and returns a function that runs one full, compacting collection (call it once the initial lists
 * are in). Process-wide: called by the command, never by the pipeline's own code.
 */
export function favourMemory(): () => void {
  setFlagsFromString('--optimize-for-size');
  // --expose-gc set now makes `gc` available to new contexts only: take it from one, without a global.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  setFlagsFromString('--no-expose-gc');
  // Twice: at once (the lists' garbage goes and V8 shrinks the young generation), then a second later, when the
  // last page is no longer referenced and the watches have started (measured: 111 MB after the first alone, 95 MB
  // after both, for 10,000 Deployments and their ReplicaSets).
  return () => {
    gc();
    setTimeout(gc, 1_000).unref();
  };
}
