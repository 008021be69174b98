import type { RedirectConfig, RewriteConfig } from '../config/types.ts';

/** A request target cut into its path and its query string ("?" included, or ""), untouched. */
export function splitTarget(target: string): { path: string; query: string } {
  const queryStart = target.indexOf('?');
  return queryStart < 0
    ? { path: target, query: '' }
    : { path: target.slice(0, queryStart), query: target.slice(queryStart) };
}

/**
 * What is left of `path` after the whole segments of `prefix` ("/api/v1" leaves "/x" of
 * "/api/v1/x", "" of "/api/v1" and "/" of "/api/v1/"). The path must match the prefix.
 */
export function afterPrefix(path: string, prefix: string): string {
  let at = 0;
  for (const segment of prefix.split('/').filter(Boolean)) {
    while (path[at] === '/') at++;
    at += segment.length;
  }
  return path.slice(at);
}

/**
 * `path` with the part `prefix` matched replaced by `replacement`, joined with exactly one slash:
 * "/api/v1" -> "/" makes "/api/v1/x" "/x" and "/api/v1" "/"; "/old" -> "/new" makes "/old/x" "/new/x".
 */
export function replacePrefix(path: string, prefix: string, replacement: string): string {
  const replaced = replacement.replace(/\/+$/, '') + afterPrefix(path, prefix);
  return replaced === '' ? '/' : replaced;
}

/** The path after a rewrite's "path" or "prefix" (a prefix rewrite needs the route's matched prefix). */
export function rewritePath(
  path: string,
  change: Pick<RewriteConfig, 'path' | 'prefix'>,
  matchedPrefix: string | undefined,
  replace: typeof replacePrefix = replacePrefix,
): string {
  if (change.path !== undefined) return change.path;
  if (change.prefix === undefined || matchedPrefix === undefined) return path;
  return replace(path, matchedPrefix, change.prefix);
}

/** The request target after a rewrite: a new path, the query string byte for byte. */
export function rewriteTarget(
  target: string,
  rewrite: RewriteConfig | undefined,
  matchedPrefix: string | undefined,
  replace: typeof replacePrefix = replacePrefix,
): string {
  if (rewrite === undefined || (rewrite.path === undefined && rewrite.prefix === undefined)) return target;
  const { path, query } = splitTarget(target);
  return rewritePath(path, rewrite, matchedPrefix, replace) + query;
}

/** What a redirect needs from the request. */
export interface RedirectedRequest {
  readonly target: string;
  /** The Host header as sent, port included; undefined when there was none. */
  readonly hostHeader: string | undefined;
  /** The host name alone, lowercased. */
  readonly hostName: string | undefined;
}

/**
 * The Location of a redirect: the request's own URL with the redirect's changes. The authority is
 * the Host the client sent, unless the redirect names a scheme, host or port: then it is the host
 * (new or requested) with ":port" only when a port is named. Without any host to use, Location is
 * the path alone, which RFC 9110 10.2.2 allows.
 */
export function redirectLocation(
  request: RedirectedRequest,
  redirect: RedirectConfig,
  matchedPrefix: string | undefined,
): string {
  const { path, query } = splitTarget(request.target);
  const location = rewritePath(path, redirect, matchedPrefix) + query;
  const changesAuthority =
    redirect.scheme !== undefined || redirect.host !== undefined || redirect.port !== undefined;
  const authority = changesAuthority
    ? `${redirect.host ?? request.hostName ?? ''}${redirect.port === undefined ? '' : `:${redirect.port}`}`
    : request.hostHeader;
  if (!authority) return location;
  return `${redirect.scheme ?? 'http'}://${authority}${location}`;
}
