import type { RouteDocument } from '../spec/config-document.ts';

/**
 * The routes in the spec's precedence order (features/routing.feature), for products whose rules
 * go first-match in the order written: the most specific host (exact, then wildcards with more
 * labels, then none), then path (exact; then prefixes and patterns by literal segments, a prefix
 * before a pattern, then more literal characters; then none), then a route naming methods, then
 * more header matches, then more query matches; ties by name. Written here apart from the reference
 * balancer's own, so a product's translation does not inherit the reference's mistakes.
 */
export function inPrecedenceOrder(routes: readonly RouteDocument[]): RouteDocument[] {
  return [...routes].sort((a, b) => {
    const [rankA, rankB] = [rank(a), rank(b)];
    for (let i = 0; i < rankA.length; i++) {
      const difference = (rankB[i] as number) - (rankA[i] as number);
      if (difference !== 0) return difference;
    }
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
}

function rank({ match }: RouteDocument): number[] {
  const labels = match.host?.split('.').length ?? 0;
  const host = match.host === undefined ? [0, 0] : [match.host.startsWith('*.') ? 1 : 2, labels];
  return [
    ...host,
    ...pathRank(match.path),
    match.method ? 1 : 0,
    match.headers?.length ?? 0,
    match.query?.length ?? 0,
  ];
}

function pathRank(path: RouteDocument['match']['path']): number[] {
  if (path === undefined) return [0, 0, 0, 0];
  if ('exact' in path) return [2, pathSegments(path.exact).length, 1, path.exact.length];
  const text = 'prefix' in path ? path.prefix : path.pattern;
  const literal = pathSegments(text).filter((segment) => segment !== '*');
  return [1, literal.length, 'prefix' in path ? 1 : 0, literal.join('/').length];
}

/** A path's segments, without the empty ones doubled or trailing slashes make. */
export function pathSegments(path: string): string[] {
  return path.split('/').filter(Boolean);
}

/** `text` with every regular-expression metacharacter escaped. */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A regular expression for the paths a route's path match takes, as the spec reads it: a prefix
 * of whole segments; a pattern where "*" is one segment and a final "/*" one or more.
 */
export function pathRegex(path: PathMatchDocument): string {
  return `^${pathPattern(path)}$`;
}

type PathMatchDocument = NonNullable<RouteDocument['match']['path']>;

/**
 * The same, unanchored, for paths embedded in a longer string: `pathCharacter` is a character class
 * of what a path may contain there (e.g. "[^?|]" when a query string and a separator follow).
 */
export function pathPattern(path: PathMatchDocument, pathCharacter = '.'): string {
  const segmentCharacter = pathCharacter === '.' ? '[^/]' : `[^/${pathCharacter.slice(2, -1)}]`;
  if ('exact' in path) return escapeRegex(path.exact);
  if ('prefix' in path) {
    const segments = pathSegments(path.prefix);
    if (segments.length === 0) return `/${pathCharacter}*`;
    return `/${segments.map(escapeRegex).join('/')}(/${pathCharacter}*)?`;
  }
  const segments = pathSegments(path.pattern);
  const openEnded = path.pattern.endsWith('/*') && segments.length > 0;
  const fixed = (openEnded ? segments.slice(0, -1) : segments).map((segment) =>
    segment === '*' ? `${segmentCharacter}+` : escapeRegex(segment),
  );
  const base = fixed.length === 0 ? '' : `/${fixed.join('/')}`;
  return openEnded ? `${base}/${segmentCharacter}+${pathCharacter}*` : `${base}/?`;
}
