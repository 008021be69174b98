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

/**
 * A Set-Cookie's attributes by lower-case name, each with its lower-case value ("" for a flag); of
 * two with one name the last counts, as in a user agent (RFC 6265 5.3).
 */
export function cookieAttributes(setCookie: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const part of setCookie.split(';').slice(1)) {
    const [key, ...value] = part.split('=');
    attributes.set((key as string).trim().toLowerCase(), value.join('=').trim().toLowerCase());
  }
  return attributes;
}

/** The most a value may have contained a name by chance for the name to count as revealed. */
export const chanceContainmentBound = 1e-9;

/**
 * Which of `names` a cookie value gives away: equal to the value (as sent, or decoded from base64
 * or base64url), or contained in it where chance could not explain it. A 22-character token
 * contains "b1" by chance about once in 200 (once in 12 in hex), so a short name counts only as the
 * whole value; a name is found inside a longer value only when a uniformly random value of that
 * length over 16 symbols (hex, the smallest alphabet in use; 256 for decoded bytes) would contain
 * it with probability below chanceContainmentBound. Example: "127.0.0.1:20949" (15 characters) in
 * 22: 8 x 16^-15, about 7e-18, is checked; the port "20949" in clear: 18 x 16^-5, about 2e-5, is not
 * (its base64 form, 12 of 256^-5, about 1e-11, is).
 */
export function namesRevealed(value: string, names: readonly string[]): string[] {
  const renderings = [
    { text: value, alphabet: 16 },
    { text: Buffer.from(value, 'base64').toString('latin1'), alphabet: 256 },
    { text: Buffer.from(value, 'base64url').toString('latin1'), alphabet: 256 },
  ];
  return names.filter((name) =>
    renderings.some(({ text, alphabet }) => {
      if (text === name) return true;
      const positions = text.length - name.length + 1;
      return (
        positions > 0 && positions * alphabet ** -name.length < chanceContainmentBound && text.includes(name)
      );
    }),
  );
}
