import type { HeaderRulesDocument, PoolDocument, RouteDocument } from '../spec/config-document.ts';
import { escapeRegex, pathRegex, pathSegments } from './route-order.ts';

/** The reverse_proxy handler for a pool; `upstreamHost` replaces the Host only the backend sees. */
export type ProxyHandler = (pool: PoolDocument, upstreamHost?: string) => Record<string, unknown>;

/**
 * One neutral route as a terminal Caddy route (the caller puts them in the spec's precedence order,
 * since Caddy takes the first that matches). Hosts are matched by a regular expression on the Host
 * header (Caddy's host matcher takes one label per "*", the spec's wildcard one or more); paths by
 * one on the path. Path changes use Caddy's path_regexp rewrite, which works on the path as sent,
 * so percent-encodings such as %2F survive; the query string is never touched.
 */
export function caddyRoute(
  route: RouteDocument,
  poolNamed: (name: string) => PoolDocument,
  proxy: ProxyHandler,
): Record<string, unknown> {
  for (const text of literalsOf(route)) {
    if (/[{}]/.test(text))
      throw new Error(
        `caddy adapter: route "${route.name}": "${text}" has braces, which Caddy reads as placeholders`,
      );
  }
  return {
    match: [matchSet(route)],
    handle: [...headerRules(route), ...action(route, poolNamed, proxy)],
    terminal: true,
  };
}

function action(
  route: RouteDocument,
  poolNamed: (name: string) => PoolDocument,
  proxy: ProxyHandler,
): Record<string, unknown>[] {
  if (route.redirect) return redirectSteps(route, route.redirect);
  if (route.pool === undefined)
    throw new Error(`caddy adapter: route "${route.name}" splits its traffic, which Caddy cannot express`);
  const rewrite = route.rewrite ?? {};
  const path =
    rewrite.path !== undefined
      ? [pathReplacement('^.*$', rewrite.path)]
      : rewrite.prefix !== undefined
        ? [prefixReplacement(route, rewrite.prefix)]
        : [];
  return [...path, proxy(poolNamed(route.pool), rewrite.host)];
}

// The Location is the request's own URL, the path changed first by the same rewrite as above.
function redirectSteps(
  route: RouteDocument,
  redirect: NonNullable<RouteDocument['redirect']>,
): Record<string, unknown>[] {
  const changesAuthority =
    redirect.scheme !== undefined || redirect.host !== undefined || redirect.port !== undefined;
  const authority = changesAuthority
    ? `${redirect.host ?? '{http.request.host}'}${redirect.port === undefined ? '' : `:${redirect.port}`}`
    : '{http.request.hostport}';
  const path =
    redirect.path !== undefined
      ? [pathReplacement('^.*$', redirect.path)]
      : redirect.prefix !== undefined
        ? [prefixReplacement(route, redirect.prefix)]
        : [];
  return [
    ...path,
    {
      handler: 'static_response',
      status_code: redirect.status,
      headers: { Location: [`${redirect.scheme ?? 'http'}://${authority}{http.request.uri}`] },
    },
  ];
}

const pathReplacement = (find: string, replace: string) => ({
  handler: 'rewrite',
  // Go's regexp expands "$" in a replacement; "$$" is a literal one.
  path_regexp: [{ find, replace: replace.replaceAll('$', '$$$$') }],
});

// The part of the path the route's prefix matched becomes the replacement, with exactly one slash
// at the join: "/api/v1" to "/" sends /api/v1 and /api/v1/ as "/", /api/v1/x as /x.
function prefixReplacement(route: RouteDocument, replacement: string): Record<string, unknown> {
  const path = route.match.path;
  if (!path || !('prefix' in path))
    throw new Error(`caddy adapter: route "${route.name}": a prefix change needs a prefix match`);
  const segments = pathSegments(path.prefix);
  const prefix = `^${segments.length === 0 ? '' : `/${segments.map(escapeRegex).join('/')}`}`;
  const trimmed = replacement.replace(/\/+$/, '');
  return trimmed === '' ? pathReplacement(`${prefix}/?`, '/') : pathReplacement(prefix, trimmed);
}

function matchSet(route: RouteDocument): Record<string, unknown> {
  const { host, path, method, headers = [], query = [] } = route.match;
  const headerRegexps: Record<string, { pattern: string }> = {};
  const headerValues: Record<string, string[]> = {};
  if (host !== undefined) headerRegexps.Host = { pattern: hostPattern(host) };
  for (const header of headers) {
    if ('regex' in header) headerRegexps[header.name] = { pattern: `^(?:${header.regex})$` };
    else headerValues[header.name] = ['exact' in header ? header.exact : '*'];
  }
  return {
    ...(path === undefined ? {} : { path_regexp: { pattern: pathRegex(path) } }),
    ...(method === undefined ? {} : { method: [...method] }),
    ...(Object.keys(headerValues).length === 0 ? {} : { header: headerValues }),
    ...(query.length === 0
      ? {}
      : { query: Object.fromEntries(query.map((q) => [q.name, ['exact' in q ? q.exact : '*']])) }),
    ...(Object.keys(headerRegexps).length === 0 ? {} : { header_regexp: headerRegexps }),
  };
}

// The spec's host: case-insensitive, port ignored; "*.example.com" one or more labels before it.
function hostPattern(host: string): string {
  const port = '(?::[0-9]+)?';
  if (!host.startsWith('*.')) return `(?i)^${escapeRegex(host)}${port}$`;
  return `(?i)^(?:[^.:]+\\.)+${escapeRegex(host.slice(2))}${port}$`;
}

// Request and response header rules: remove, then set, then add (Caddy applies add, set, delete
// within one operation, so each step is an operation of its own). Response rules are deferred, so
// they also reach a redirect's answer.
function headerRules(route: RouteDocument): Record<string, unknown>[] {
  const steps = (rules: HeaderRulesDocument | undefined) =>
    rules === undefined
      ? []
      : [
          ...(rules.remove?.length ? [{ delete: [...rules.remove] }] : []),
          ...(rules.set ? [{ set: valuesOf(rules.set) }] : []),
          ...(rules.add ? [{ add: valuesOf(rules.add) }] : []),
        ];
  return [
    ...steps(route.requestHeaders).map((request) => ({ handler: 'headers', request })),
    ...steps(route.responseHeaders).map((response) => ({
      handler: 'headers',
      response: { ...response, deferred: true },
    })),
  ];
}

const valuesOf = (record: Readonly<Record<string, string>>) =>
  Object.fromEntries(Object.entries(record).map(([name, value]) => [name, [value]]));

// Every text of a route that reaches Caddy as a string it expands placeholders in.
function literalsOf(route: RouteDocument): string[] {
  const rules = [route.requestHeaders, route.responseHeaders];
  return [
    ...Object.values(route.redirect ?? {}).filter((value): value is string => typeof value === 'string'),
    ...Object.values(route.rewrite ?? {}),
    ...rules.flatMap((rule) => [...Object.values(rule?.set ?? {}), ...Object.values(rule?.add ?? {})]),
  ];
}
