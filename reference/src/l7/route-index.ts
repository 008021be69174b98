import type { PathMatch } from '../config/types.ts';

/**
 * Which routes a request's path could match, so a table of thousands of routes is not tried one by
 * one: exact paths by a map, prefixes by a map of their segments (a path of k segments has k + 1
 * segment prefixes to look up), and patterns, like routes without a path, always. The result is a
 * superset of the matching routes; each candidate is then checked in full.
 */
export interface RouteIndex {
  /** Route positions (ascending) worth checking for a request with this path. */
  candidates(path: string): readonly number[];
}

/** Indexes routes by path match; `paths[i]` is route i's (undefined: the route has no path match). */
export function indexRoutesByPath(paths: readonly (PathMatch | undefined)[]): RouteIndex {
  const always: number[] = [];
  const exact = new Map<string, number[]>();
  const prefix = new Map<string, number[]>();
  const add = (map: Map<string, number[]>, key: string, position: number): void => {
    const list = map.get(key);
    if (list) list.push(position);
    else map.set(key, [position]);
  };
  paths.forEach((path, position) => {
    if (path === undefined || 'pattern' in path) always.push(position);
    else if ('exact' in path) add(exact, path.exact, position);
    else add(prefix, segmentKey(path.prefix), position);
  });
  if (exact.size === 0 && prefix.size === 0) return { candidates: () => always };
  return {
    candidates(path) {
      const found = [...always, ...(exact.get(path) ?? []), ...(prefix.get('') ?? [])];
      let key = '';
      for (const segment of path.split('/')) {
        if (segment === '') continue;
        key = key === '' ? segment : `${key}/${segment}`;
        const routes = prefix.get(key);
        if (routes) found.push(...routes);
      }
      return found.sort((a, b) => a - b);
    },
  };
}

// A prefix's segments, as the matcher compares them: "/api//v1/" is "api/v1".
function segmentKey(path: string): string {
  return path
    .split('/')
    .filter((segment) => segment !== '')
    .join('/');
}
