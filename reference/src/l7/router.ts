import type { HeaderRules, PathMatch, RouteConfig } from '../config/types.ts';
import { Load } from '../selection/load.ts';
import { buildWeightedRoundRobin } from '../selection/weighted-round-robin.ts';
import { redirectLocation, replacePrefix, rewriteTarget, splitTarget } from './rewrite.ts';
import { indexRoutesByPath, type RouteIndex } from './route-index.ts';

/** What a route looks at in a request. */
export interface RoutableRequest {
  readonly method: string;
  /** The Host header as sent (a port is ignored). */
  readonly host: string | undefined;
  /** The request target: path and query string. */
  readonly target: string;
  /** Header values by lowercased name (repeated headers joined with ", "). */
  readonly header: (name: string) => string | undefined;
}

/**
 * The host a request is routed by, from its Host (or :authority) and the server name its TLS
 * handshake asked for (undefined without TLS or SNI).
 */
export type RoutingHost = (host: string | undefined, serverName: string | undefined) => string | undefined;

/**
 * The request's own Host: the server name only chose the certificate. A client may send requests
 * for several names over one connection (RFC 9110 7.4, HTTP/2 connection reuse).
 */
export const hostOfRequest: RoutingHost = (host) => host;

/** Send the request to a pool, as `target` (rewritten or as sent), with the route's header rules. */
export interface ForwardDecision {
  readonly kind: 'forward';
  readonly pool: string;
  /** The route that chose it; none for the listener's default pool. */
  readonly route?: string;
  readonly target: string;
  /** The Host the backend sees, when the route rewrites it. */
  readonly upstreamHost?: string;
  readonly requestHeaders?: HeaderRules;
  readonly responseHeaders?: HeaderRules;
}

/** Answer with a redirect; no backend is involved. */
export interface RedirectDecision {
  readonly kind: 'redirect';
  readonly route: string;
  readonly status: number;
  readonly location: string;
  readonly responseHeaders?: HeaderRules;
}

/** What to do with a request. */
export type RouteDecision = ForwardDecision | RedirectDecision;

/** Chooses a pool for each request by the listener's routes. */
export interface Router {
  route(request: RoutableRequest): RouteDecision | undefined;
}

/** A route as precedence sees it: its rank (compared element by element, higher first) and name. */
export interface RankedRoute {
  readonly name: string;
  readonly rank: readonly number[];
}

/**
 * How routes match and which wins: the pieces a router is compiled from, replaceable as one part
 * (parts.ts) by a broken balancer that matches or orders routes wrongly.
 */
export interface RouteMatching {
  /** Whether a request's path (no query) matches a route's path match. */
  readonly path: (match: PathMatch) => (path: string) => boolean;
  /** The routes worth trying for a path, by position; must keep every route `path` could match. */
  readonly index: (paths: readonly (PathMatch | undefined)[]) => RouteIndex;
  /** What a header match's regex compiles to. */
  readonly headerRegex: (source: string) => RegExp;
  /** The order routes are tried in: negative when `a` goes first. */
  readonly precedence: (a: RankedRoute, b: RankedRoute) => number;
  /** A path after a prefix rewrite (see rewrite.ts). */
  readonly replacePrefix: (path: string, prefix: string, replacement: string) => string;
}

interface CompiledRoute {
  readonly name: string;
  readonly path: PathMatch | undefined;
  readonly rank: readonly number[];
  readonly matches: (request: ParsedRequest) => boolean;
  readonly decide: (request: ParsedRequest) => RouteDecision;
}

interface ParsedRequest {
  readonly method: string;
  /** The Host header as sent. */
  readonly hostHeader: string | undefined;
  /** Its name alone, lowercased. */
  readonly host: string | undefined;
  readonly target: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly header: (name: string) => string | undefined;
}

/**
 * Compiles routes once into a list in precedence order, so the first match is the most specific
 * whatever order the config lists them in: host (exact > wildcard, more labels first > none), then
 * path (exact > prefix or pattern by literal segments, a prefix before a pattern, then more literal
 * characters > none), then methods named, then more header matches, then more query matches, then
 * route name. A request no route matches goes to `defaultPool`, or nowhere.
 */
export function compileRouter(
  routes: readonly RouteConfig[],
  defaultPool?: string,
  matching: RouteMatching = referenceRouteMatching,
): Router {
  const fallback = (target: string): ForwardDecision | undefined =>
    defaultPool === undefined ? undefined : { kind: 'forward', pool: defaultPool, target };
  // A listener without routes is the hot path: nothing to parse.
  if (routes.length === 0) return { route: (request) => fallback(request.target) };
  const compiled = routes.map((route) => compileRoute(route, matching)).sort(matching.precedence);
  const index = matching.index(compiled.map((route) => route.path));
  return {
    route(request) {
      const parsed = parse(request);
      for (const position of index.candidates(parsed.path)) {
        const route = compiled[position] as CompiledRoute;
        if (route.matches(parsed)) return route.decide(parsed);
      }
      return fallback(request.target);
    },
  };
}

function parse(request: RoutableRequest): ParsedRequest {
  const { path, query } = splitTarget(request.target);
  return {
    method: request.method,
    hostHeader: request.host,
    host: hostName(request.host),
    target: request.target,
    path,
    query: new URLSearchParams(query), // it drops the leading "?" itself
    header: request.header,
  };
}

// The Host header's name, lowercased, without a port ("[::1]:80" keeps its brackets: an IPv6
// literal ends in "]", which no port's digits follow).
function hostName(host: string | undefined): string | undefined {
  if (host === undefined) return undefined;
  return host.replace(/:\d*$/, '').toLowerCase();
}

function compileRoute(route: RouteConfig, matching: RouteMatching): CompiledRoute {
  const { host, path, method, headers = [], query = [] } = route.match;
  const checks: ((request: ParsedRequest) => boolean)[] = [];
  if (host !== undefined) checks.push(hostMatcher(host));
  if (path !== undefined) {
    const matches = matching.path(path);
    checks.push((request) => matches(request.path));
  }
  if (method !== undefined) checks.push((request) => method.includes(request.method));
  for (const header of headers) {
    const name = header.name.toLowerCase();
    if ('exact' in header) checks.push((request) => request.header(name) === header.exact);
    else if ('regex' in header) {
      const regex = matching.headerRegex(header.regex);
      checks.push((request) => {
        const value = request.header(name);
        return value !== undefined && regex.test(value);
      });
    } else checks.push((request) => request.header(name) !== undefined);
  }
  for (const parameter of query) {
    if ('exact' in parameter)
      checks.push((request) => request.query.getAll(parameter.name).includes(parameter.exact));
    else checks.push((request) => request.query.has(parameter.name));
  }
  return {
    name: route.name,
    path,
    decide: decider(route, matching),
    rank: [...hostRank(host), ...pathRank(path), method ? 1 : 0, headers.length, query.length],
    matches: (request) => checks.every((check) => check(request)),
  };
}

/** What a route does with a request it matched: redirect it, or forward it (rewritten) to a pool. */
function decider(route: RouteConfig, matching: RouteMatching): (request: ParsedRequest) => RouteDecision {
  const { name, redirect, rewrite, requestHeaders, responseHeaders } = route;
  const matchedPrefix =
    route.match.path && 'prefix' in route.match.path ? route.match.path.prefix : undefined;
  if (redirect) {
    return (request) => ({
      kind: 'redirect',
      route: name,
      status: redirect.status,
      location: redirectLocation(
        { target: request.target, hostHeader: request.hostHeader, hostName: request.host },
        redirect,
        matchedPrefix,
      ),
      ...(responseHeaders ? { responseHeaders } : {}),
    });
  }
  const choosePool = poolChooser(route);
  const rules = {
    ...(rewrite?.host === undefined ? {} : { upstreamHost: rewrite.host }),
    ...(requestHeaders ? { requestHeaders } : {}),
    ...(responseHeaders ? { responseHeaders } : {}),
  };
  return (request) => ({
    kind: 'forward',
    pool: choosePool(),
    route: name,
    target: rewriteTarget(request.target, rewrite, matchedPrefix, matching.replacePrefix),
    ...rules,
  });
}

// A split shares requests by weight in a smooth rotation: exact shares over every cycle of the
// total weight, so a 90/10 canary sees its 10% spread out, not in bursts.
function poolChooser(route: RouteConfig): () => string {
  if (route.pool !== undefined) {
    const pool = route.pool;
    return () => pool;
  }
  const rotation = buildWeightedRoundRobin(
    (route.split ?? []).map((share) => ({ ...share, load: new Load() })),
  );
  return () => (rotation.pick() as { pool: string }).pool;
}

function hostMatcher(pattern: string): (request: ParsedRequest) => boolean {
  const lower = pattern.toLowerCase();
  if (!lower.startsWith('*.')) return (request) => request.host === lower;
  const suffix = lower.slice(1); // ".example.com"
  return (request) =>
    (request.host?.endsWith(suffix) ?? false) && (request.host?.length ?? 0) > suffix.length;
}

function hostRank(host: string | undefined): number[] {
  if (host === undefined) return [0, 0];
  return host.startsWith('*.') ? [1, host.split('.').length] : [2, host.split('.').length];
}

// Segments of a path, without the empty ones a trailing or doubled slash makes.
function segments(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

/** Exact paths, prefixes of whole segments, and patterns whose `*` stands for one segment. */
export function pathMatcher(match: PathMatch): (path: string) => boolean {
  if ('exact' in match) return (path) => path === match.exact;
  if ('prefix' in match) {
    const prefix = segments(match.prefix);
    return (requested) => {
      const path = segments(requested);
      return prefix.every((segment, i) => path[i] === segment);
    };
  }
  const pattern = segments(match.pattern);
  const openEnded = match.pattern.endsWith('/*'); // its last segment is the star
  const fixed = openEnded ? pattern.slice(0, -1) : pattern;
  return (requested) => {
    const path = segments(requested);
    if (openEnded ? path.length <= fixed.length : path.length !== fixed.length) return false;
    return fixed.every((segment, i) => segment === '*' || path[i] === segment);
  };
}

// [kind, literal segments, prefix-over-pattern, literal characters]
function pathRank(match: PathMatch | undefined): number[] {
  if (match === undefined) return [0, 0, 0, 0];
  if ('exact' in match) return [2, segments(match.exact).length, 1, match.exact.length];
  const text = 'prefix' in match ? match.prefix : match.pattern;
  const literal = segments(text).filter((segment) => segment !== '*');
  return [1, literal.length, 'prefix' in match ? 1 : 0, literal.join('/').length];
}

/** Higher rank first, element by element; then by name, so the order never depends on the config's. */
export function byPrecedence(a: RankedRoute, b: RankedRoute): number {
  for (let i = 0; i < a.rank.length; i++) {
    const difference = (b.rank[i] ?? 0) - (a.rank[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The reference's matching: whole regexes, segment-wise prefixes, the precedence above. */
export const referenceRouteMatching: RouteMatching = {
  path: pathMatcher,
  index: indexRoutesByPath,
  headerRegex: (source) => new RegExp(`^(?:${source})$`),
  precedence: byPrecedence,
  replacePrefix,
};
