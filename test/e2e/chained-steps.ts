/**
 * Tests that build on each other (one step of a scenario each, in order, sharing state): after one fails, the rest
 * fail at once, naming it, instead of each waiting for its timeout. One chain per test file:
 * `const step = chainedSteps();` then `step('name', async () => { ... })` inside a describe.
 */
export function chainedSteps(): (name: string, body: () => Promise<void>, timeoutMs?: number) => void {
  let failedStep: string | undefined;
  return (name, body, timeoutMs) => {
    test(name, async () => {
      if (failedStep) throw new Error(`not run: an earlier step failed (${failedStep})`);
      try {
        await body();
      } catch (error) {
        failedStep = name;
        throw error;
      }
    }, timeoutMs);
  };
}
