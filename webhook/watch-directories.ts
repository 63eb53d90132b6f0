/**
 * Calls `onChange` (debounced) when anything in the given directories changes, and also every `pollMs` as a
 * backstop for missed events (a directory replaced through a symlink swap, as Kubernetes volumes do). The callback
 * is expected to compare content and do nothing when nothing changed.
 */
import { watch, type FSWatcher } from 'node:fs';

export interface DirectoryWatch {
  close(): void;
}

export interface WatchOptions {
  debounceMs?: number;
  pollMs?: number;
  onError?: (error: unknown) => void;
}

export function watchDirectories(dirs: readonly string[], onChange: () => Promise<void>, options: WatchOptions = {}): DirectoryWatch {
  const debounceMs = options.debounceMs ?? 100;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let closed = false;
  const trigger = (): void => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      running = running.then(onChange).catch((error) => options.onError?.(error));
    }, debounceMs);
  };
  const watchers: FSWatcher[] = [];
  for (const dir of new Set(dirs)) {
    try {
      const watcher = watch(dir, { persistent: false }, trigger);
      watcher.on('error', (error) => options.onError?.(error));
      watchers.push(watcher);
    } catch (error) {
      options.onError?.(error);
    }
  }
  const poll = options.pollMs ? setInterval(trigger, options.pollMs) : undefined;
  poll?.unref();
  return {
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      if (poll) clearInterval(poll);
      for (const watcher of watchers) watcher.close();
    },
  };
}
