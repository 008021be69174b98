// The headers a request carries upstream: end-to-end ones, the forwarding headers, the route's.
import type { Routed, Scheme, UpstreamRequestShaper } from '../listener-context.ts';
import { applyToHeaderList } from './header-rules.ts';
import { connectionOptions } from './wire/syntax.ts';

// Hop-by-hop headers (RFC 9110 7.6.1) are about one connection and are never forwarded. `expect` is
// answered here: node sends 100 Continue to the client itself.
const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
]);

// Set by the balancer itself, whatever the client sent: its own view of the hop it received.
const forwardingHeaders = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host']);

/** Where a request came from, as the balancer's socket saw it. */
export interface ClientHop {
  readonly clientAddress: string;
  readonly scheme: Scheme;
}

/**
 * The headers to send upstream: the client's, without hop-by-hop ones and those its Connection
 * header names, then X-Forwarded-For (the client's chain with the socket's peer appended),
 * X-Forwarded-Proto and X-Forwarded-Host. Host is kept as the client sent it.
 */
export function upstreamRequestHeaders(
  rawHeaders: readonly string[],
  hop: ClientHop | undefined,
  select: (rawHeaders: readonly string[]) => string[] = forwardableHeaders,
): string[] {
  const kept = select(rawHeaders);
  if (!hop) return kept;
  // The chain so far is what survived as end-to-end: an X-Forwarded-For the client's Connection
  // header names is hop-by-hop, so dropped, but the balancer's own entry is always added.
  const chain: string[] = [];
  let host: string | undefined;
  const headers: string[] = [];
  for (let i = 0; i < kept.length; i += 2) {
    const name = kept[i] as string;
    const value = kept[i + 1] as string;
    const lower = name.toLowerCase();
    if (lower === 'x-forwarded-for') chain.push(value);
    if (lower === 'host') host ??= value;
    if (!forwardingHeaders.has(lower)) headers.push(name, value);
  }
  chain.push(hop.clientAddress);
  headers.push('x-forwarded-for', chain.join(', '), 'x-forwarded-proto', hop.scheme);
  if (host !== undefined) headers.push('x-forwarded-host', host);
  return headers;
}

/**
 * The reference's request upstream: the route's target (rewritten or as sent), the client's
 * end-to-end headers with the forwarding headers of this hop, then the route's Host and rules.
 */
export const shapeUpstreamRequest: UpstreamRequestShaper = (rawHeaders, clientAddress, routed, scheme) => {
  const headers = upstreamRequestHeaders(rawHeaders, { clientAddress: clientAddress ?? '', scheme });
  // TE is hop-by-hop, but "TE: trailers" is the one value HTTP/2 carries (RFC 9113 8.2.2): gRPC
  // servers look for it, so a client that sent it has it said again on the HTTP/2 hop.
  if (routed.pool.config.http2 && asksForTrailers(rawHeaders)) headers.push('te', 'trailers');
  return { target: routed.target, headers: withRouteRules(headers, routed) };
};

function asksForTrailers(rawHeaders: readonly string[]): boolean {
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (
      (rawHeaders[i] as string).toLowerCase() === 'te' &&
      connectionOptions(rawHeaders[i + 1] as string).includes('trailers')
    )
      return true;
  }
  return false;
}

/** `headers` with the route's Host and header rules applied. */
export function withRouteRules(headers: string[], routed: Routed & { kind: 'forward' }): string[] {
  const hosted = withHost(headers, routed.upstreamHost);
  return routed.requestHeaders ? applyToHeaderList(hosted, routed.requestHeaders) : hosted;
}

/** `headers` with Host's value replaced by `host`, when given. */
export function withHost(headers: string[], host: string | undefined): string[] {
  if (host === undefined) return headers;
  const replaced: string[] = [];
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    if (name.toLowerCase() !== 'host') replaced.push(name, headers[i + 1] as string);
  }
  return ['host', host, ...replaced];
}

/** Flat [name, value, ...] headers (a request's or an answer's) without hop-by-hop ones, nor those Connection names. */
export function forwardableHeaders(rawHeaders: readonly string[]): string[] {
  const kept: string[] = [];
  let named: Set<string> | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    const lower = name.toLowerCase();
    if (!hopByHop.has(lower)) kept.push(name, rawHeaders[i + 1] as string);
    else if (lower === 'connection') named = addConnectionOptions(rawHeaders[i + 1] as string, named);
  }
  // Most Connection headers name only keep-alive or close, which are gone already: one pass then.
  if (named === undefined) return kept;
  for (const option of named) if (hopByHop.has(option) || option === 'close') named.delete(option);
  return named.size === 0 ? kept : withoutNamed(kept, named);
}

/** `headers` without those of the names given (lowercase). */
export function withoutNamed(headers: readonly string[], names: ReadonlySet<string>): string[] {
  const kept: string[] = [];
  for (let i = 0; i < headers.length; i += 2) {
    if (!names.has((headers[i] as string).toLowerCase()))
      kept.push(headers[i] as string, headers[i + 1] as string);
  }
  return kept;
}

/** The header names every Connection header of `rawHeaders` lists, lowercased. */
export function connectionNamed(rawHeaders: readonly string[]): Set<string> {
  let named = new Set<string>();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if ((rawHeaders[i] as string).toLowerCase() === 'connection')
      named = addConnectionOptions(rawHeaders[i + 1] as string, named);
  }
  return named;
}

/** The options a Connection header's value lists, added to `into`. */
function addConnectionOptions(value: string, into = new Set<string>()): Set<string> {
  for (const option of connectionOptions(value)) into.add(option);
  return into;
}
