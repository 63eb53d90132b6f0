/**
 * Splits `user:password@` out of an HTTP URL: fetch refuses URLs with credentials, and logs and pages must not show
 * them. The credentials become a Basic Authorization header value.
 */
export function splitUrlCredentials(text: string): { url: URL; authorization?: string } {
  const url = new URL(text);
  if (url.username === '' && url.password === '') return { url };
  const authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
  url.username = '';
  url.password = '';
  return { url, authorization };
}
