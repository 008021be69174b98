import type { PathMatch, RouteConfig } from '../config/types.ts';

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

/** The pool a request goes to, and the route that chose it (none: the listener's default pool). */
export interface RouteDecision {
  readonly pool: string;
  readonly route?: string;
}

/** Chooses a pool for each request by the listener's routes. */
export interface Router {
  route(request: RoutableRequest): RouteDecision | undefined;
}

/** Deliberate defects, for the broken balancers in fixtures/broken/ only. */
export interface RouterDefects {
  /** Take the first route that matches in the order written, ignoring precedence. */
  readonly firstMatchInConfigOrder?: boolean;
  /** Match prefixes as strings, so "/api" also matches "/apix". */
  readonly prefixIgnoresSegments?: boolean;
  /** Let a header regex match anywhere in the value, not the whole of it. */
  readonly unanchoredRegex?: boolean;
}

interface CompiledRoute {
  readonly name: string;
  readonly pool: string;
  readonly rank: readonly number[];
  readonly matches: (request: ParsedRequest) => boolean;
}

interface ParsedRequest {
  readonly method: string;
  readonly host: string | undefined;
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
  defects: RouterDefects = {},
): Router {
  const fallback = defaultPool === undefined ? undefined : { pool: defaultPool };
  // A listener without routes is the hot path: nothing to parse.
  if (routes.length === 0) return { route: () => fallback };
  const compiled = routes.map((route) => compileRoute(route, defects));
  if (!defects.firstMatchInConfigOrder) compiled.sort(byPrecedence);
  return {
    route(request) {
      const parsed = parse(request);
      const route = compiled.find((candidate) => candidate.matches(parsed));
      return route ? { pool: route.pool, route: route.name } : fallback;
    },
  };
}

function parse(request: RoutableRequest): ParsedRequest {
  const queryStart = request.target.indexOf('?');
  const path = queryStart < 0 ? request.target : request.target.slice(0, queryStart);
  const query = new URLSearchParams(queryStart < 0 ? '' : request.target.slice(queryStart + 1));
  return { method: request.method, host: hostName(request.host), path, query, header: request.header };
}

// The Host header's name, lowercased, without a port ("[::1]:80" keeps its brackets).
function hostName(host: string | undefined): string | undefined {
  if (host === undefined) return undefined;
  const withoutPort = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d*$/, '');
  return withoutPort.toLowerCase();
}

function compileRoute(route: RouteConfig, defects: RouterDefects): CompiledRoute {
  const { host, path, method, headers = [], query = [] } = route.match;
  const checks: ((request: ParsedRequest) => boolean)[] = [];
  if (host !== undefined) checks.push(hostMatcher(host));
  if (path !== undefined) {
    const prefix = 'prefix' in path ? path.prefix : undefined;
    checks.push(
      defects.prefixIgnoresSegments && prefix !== undefined
        ? (request) => request.path.startsWith(prefix)
        : pathMatcher(path),
    );
  }
  if (method !== undefined) checks.push((request) => method.includes(request.method));
  for (const header of headers) {
    const name = header.name.toLowerCase();
    if ('exact' in header) checks.push((request) => request.header(name) === header.exact);
    else if ('regex' in header) {
      const regex = new RegExp(defects.unanchoredRegex ? header.regex : `^(?:${header.regex})$`);
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
    pool: route.pool,
    rank: [...hostRank(host), ...pathRank(path), method ? 1 : 0, headers.length, query.length],
    matches: (request) => checks.every((check) => check(request)),
  };
}

function hostMatcher(pattern: string): (request: ParsedRequest) => boolean {
  const lower = pattern.toLowerCase();
  if (!lower.startsWith('*.')) return (request) => request.host === lower;
  const suffix = lower.slice(1); // ".example.com"
  return (request) =>
    request.host !== undefined && request.host.endsWith(suffix) && request.host.length > suffix.length;
}

function hostRank(host: string | undefined): number[] {
  if (host === undefined) return [0, 0];
  return host.startsWith('*.') ? [1, host.split('.').length] : [2, host.split('.').length];
}

// Segments of a path, without the empty ones a trailing or doubled slash makes.
function segments(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

function pathMatcher(match: PathMatch): (request: ParsedRequest) => boolean {
  if ('exact' in match) return (request) => request.path === match.exact;
  if ('prefix' in match) {
    const prefix = segments(match.prefix);
    return (request) => {
      const path = segments(request.path);
      return prefix.every((segment, i) => path[i] === segment);
    };
  }
  const pattern = segments(match.pattern);
  const openEnded = pattern.at(-1) === '*' && match.pattern.endsWith('/*') && pattern.length > 0;
  const fixed = openEnded ? pattern.slice(0, -1) : pattern;
  return (request) => {
    const path = segments(request.path);
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

function byPrecedence(a: CompiledRoute, b: CompiledRoute): number {
  for (let i = 0; i < a.rank.length; i++) {
    const difference = (b.rank[i] ?? 0) - (a.rank[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
