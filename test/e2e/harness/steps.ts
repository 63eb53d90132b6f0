import { test } from '@jest/globals';

/**
 * Tests that build on each other, run in order: after one fails, the rest fail at once (naming it) instead of each
 * waiting for its timeout. One `steps()` per test file.
 */
export function steps(): (name: string, body: () => Promise<void>) => void {
  let failedStep: string | undefined;
  return (name, body) => {
    test(name, async () => {
      if (failedStep) throw new Error(`not run: an earlier step failed (${failedStep})`);
      try {
        await body();
      } catch (error) {
        failedStep = name;
        throw error;
      }
    });
  };
}
