import { rawHttpRequest } from './traffic.ts';

/** What one request of a cookie-keeping client got. */
export interface StickyAnswer {
  readonly backend: string;
  /** The Set-Cookie of the answer for the affinity cookie, when it had one. */
  readonly setCookie: string | undefined;
  /** The cookie value the request carried. */
  readonly sentCookie: string | undefined;
}

/** Sends one request carrying `cookieValue` in cookie `name`, if given; reads the affinity Set-Cookie. */
export async function stickyRequest(
  address: string,
  name: string,
  cookieValue: string | undefined,
): Promise<StickyAnswer> {
  const headers: [string, string][] = [['Host', 'app.example']];
  // Another cookie beside it, as browsers send: the balancer must find its own among them.
  headers.push(['Cookie', `theme=dark${cookieValue === undefined ? '' : `; ${name}=${cookieValue}`}`]);
  const answer = await rawHttpRequest(address, { headers });
  const setCookie = answer.headers['set-cookie']
    ?.split(/, (?=[^;,=\s]+=)/)
    .find((cookie) => cookie.startsWith(`${name}=`));
  return {
    backend: answer.headers['x-backend-id'] ?? `HTTP ${answer.status}`,
    setCookie,
    sentCookie: cookieValue,
  };
}

/** The value in "name=value; Path=/; ...". */
export function cookieValueOf(setCookie: string): string {
  const pair = setCookie.split(';')[0] ?? '';
  return pair.slice(pair.indexOf('=') + 1);
}
