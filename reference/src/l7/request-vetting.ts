/**
 * What the balancer checks of a request's target and Host before routing it (RFC 9112 3.2-3.3,
 * RFC 3986 5.2.4), so that a route sees the same path the backend will: one Host that is a host,
 * a target in origin form (an absolute-form target is taken apart into the two), and a path with
 * its dot segments resolved and doubled slashes merged. Framing (Content-Length against
 * Transfer-Encoding, chunk sizes, bare CR or LF) is the HTTP parser's job and is strict there.
 */

/** A request fit to route: its Host and origin-form target, and the authority an absolute-form target named. */
export interface VettedRequest {
  readonly ok: true;
  readonly host: string | undefined;
  readonly target: string;
  /** Set for an absolute-form target: the backend is sent this as Host. */
  readonly authority?: string;
}

export interface RefusedRequest {
  readonly ok: false;
  readonly status: 400;
  readonly message: string;
}

/** Vets a request's target and Host headers (flat [name, value, ...]) before it is routed. */
export type RequestVetter = (
  method: string,
  target: string,
  rawHeaders: readonly string[],
) => VettedRequest | RefusedRequest;

// RFC 3986 host (reg-name, IPv4, or an IP literal in brackets) and an optional port.
const hostSyntax = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]*)(?::[0-9]{0,5})?$/;
const absoluteForm = /^https?:\/\/([^/?#]*)([^#]*)$/i;

/** Checks `target` and the Host headers in `rawHeaders` (flat name, value pairs). */
export function vetRequest(
  method: string,
  target: string,
  rawHeaders: readonly string[],
): VettedRequest | RefusedRequest {
  const hosts: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if ((rawHeaders[i] as string).length === 4 && (rawHeaders[i] as string).toLowerCase() === 'host')
      hosts.push(rawHeaders[i + 1] as string);
  }
  if (hosts.length > 1) return refuse(`the request has ${hosts.length} Host headers; it must have one`);
  const host = hosts[0];
  if (host !== undefined && !hostSyntax.test(host)) return refuse(`"${host}" is not a host (Host header)`);
  if (target.charCodeAt(0) === 47 /* / */) {
    return { ok: true, host, target: normalisePath(target) };
  }
  if (target === '*' && method === 'OPTIONS') return { ok: true, host, target };
  const absolute = absoluteForm.exec(target);
  if (absolute) {
    const authority = absolute[1] as string;
    if (authority === '' || authority.includes('@') || !hostSyntax.test(authority))
      return refuse(`"${authority}" is not a host (request target)`);
    const path = absolute[2] as string;
    const origin = path === '' ? '/' : path.startsWith('?') ? `/${path}` : path;
    return {
      ok: true,
      host: authority,
      target: normalisePath(origin),
      authority,
    };
  }
  return refuse(`"${target.slice(0, 100)}" is not a request target: it must start with "/"`);
}

function refuse(message: string): RefusedRequest {
  return { ok: false, status: 400, message };
}

/**
 * The target with its path's dot segments resolved ("." and "..", also percent-encoded as %2e) and
 * runs of slashes merged; the query string and every other byte are left as they came. A path
 * with nothing to resolve is returned as it is.
 */
export function normalisePath(target: string): string {
  const queryAt = target.indexOf('?');
  const path = queryAt < 0 ? target : target.slice(0, queryAt);
  if (!needsResolving(path)) return target;
  const segments = path.split('/').slice(1);
  const resolved: string[] = [];
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    const dots = segment.length <= 6 ? segment.replace(/%2e/gi, '.') : segment;
    if (dots === '.' || dots === '..') {
      if (dots === '..') resolved.pop();
      if (last) resolved.push('');
      return;
    }
    if (segment === '' && !last) return;
    resolved.push(segment);
  });
  return `/${resolved.join('/')}${queryAt < 0 ? '' : target.slice(queryAt)}`;
}

function needsResolving(path: string): boolean {
  return path.includes('/.') || path.includes('//') || /%2e/i.test(path);
}
