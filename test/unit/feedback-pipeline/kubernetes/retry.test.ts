import { silentLogger } from '../../../../common/logger.js';
import { KubeApiError } from '../../../../feedback-pipeline/kubernetes/api-client.js';
import { describeApiError, isTransient, withRetry } from '../../../../feedback-pipeline/kubernetes/retry.js';

const api = (code: number, message: string | undefined = `status ${code}`) => new KubeApiError(code, undefined, message, 'PATCH /apis/apps/v1/namespaces/shop/deployments/checkout');
const system = (code: string) => Object.assign(new Error(`connect ${code}`), { code, type: 'system' });

describe('isTransient', () => {
  test.each([
    { description: 'a 503 is transient', error: api(503), transient: true },
    { description: 'a 500 is transient', error: api(500), transient: true },
    { description: 'a 429 is transient', error: api(429), transient: true },
    { description: 'a 409 is not (the caller re-reads)', error: api(409), transient: false },
    { description: 'a 422 is not', error: api(422), transient: false },
    { description: 'a 403 is not', error: api(403), transient: false },
    { description: 'a 404 is not', error: api(404), transient: false },
    { description: 'a refused connection is transient', error: system('ECONNREFUSED'), transient: true },
    { description: 'a reset connection is transient', error: system('ECONNRESET'), transient: true },
    { description: 'an aborted request (timeout) is transient', error: Object.assign(new Error('aborted'), { name: 'AbortError' }), transient: true },
    { description: 'a programming error is not', error: new TypeError('x is undefined'), transient: false },
  ])('$description', ({ error, transient }) => {
    expect(isTransient(error)).toBe(transient);
  });
});

describe('describeApiError', () => {
  test.each([
    { description: 'an API error: status and the apiserver message, not the request', error: api(403, 'forbidden'), text: 'HTTP 403: forbidden' },
    { description: 'an API error without a message', error: new KubeApiError(500, undefined, undefined, 'GET /api'), text: 'HTTP 500' },
    { description: 'a network error: its message', error: system('ECONNREFUSED'), text: 'connect ECONNREFUSED' },
    { description: 'client-node\'s ApiException (the parts still on it): status and the message of its body', error: Object.assign(new Error('HTTP-Code: 403 ...'), { code: 403, body: '{"kind":"Status","message":"forbidden"}', headers: {} }), text: 'HTTP 403: forbidden' },
  ])('$description', ({ error, text }) => {
    expect(describeApiError(error)).toBe(text);
  });
});

describe('withRetry', () => {
  const settings = { initialDelayMs: 1, maxDelayMs: 2, maxElapsedMs: 1_000 };

  test('retries transient failures and returns the first success', async () => {
    let calls = 0;
    const result = await withRetry('op', async () => (++calls < 3 ? Promise.reject(api(503)) : 'ok'), settings, silentLogger());
    expect([result, calls]).toEqual(['ok', 3]);
  });

  test('does not retry a non-transient failure', async () => {
    let calls = 0;
    await expect(withRetry('op', async () => Promise.reject(api(403, 'no')).finally(() => calls++), settings, silentLogger())).rejects.toThrow(KubeApiError);
    expect(calls).toBe(1);
  });

  test('stops retrying once the signal aborts (this replica stopped leading) and throws the last error', async () => {
    const controller = new AbortController();
    let calls = 0;
    const failing = async () => {
      calls += 1;
      if (calls === 2) controller.abort();
      throw api(503);
    };
    await expect(withRetry('op', failing, { ...settings, initialDelayMs: 5 }, silentLogger(), controller.signal)).rejects.toThrow('HTTP 503');
    expect(calls).toBe(2);
  });
});
