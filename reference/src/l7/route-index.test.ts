import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PathMatch } from '../config/types.ts';
import { seededDraw } from '../testing/seeded-draw.ts';
import { indexRoutesByPath } from './route-index.ts';

const segments = (path: string) => path.split('/').filter(Boolean);

/** Whether a route's path match can take `path`, as the router decides (patterns: maybe). */
function mayMatch(match: PathMatch | undefined, path: string): boolean {
  if (match === undefined || 'pattern' in match) return true;
  if ('exact' in match) return match.exact === path;
  const prefix = segments(match.prefix);
  const parts = segments(path);
  return prefix.every((segment, i) => parts[i] === segment);
}

test('the candidates of a path include every route that may match it, in table order', () => {
  const draw = seededDraw(3);
  const words = ['a', 'b', 'api', 'v1', 'x'];
  const somePath = () =>
    `/${Array.from({ length: draw(4) }, () => words[draw(words.length)]).join('/')}${draw(4) === 0 ? '/' : ''}`;
  for (let trial = 0; trial < 200; trial++) {
    const paths: (PathMatch | undefined)[] = Array.from({ length: 1 + draw(30) }, () => {
      const kind = draw(4);
      if (kind === 0) return undefined;
      if (kind === 1) return { exact: somePath() };
      if (kind === 2) return { prefix: somePath() };
      return { pattern: '/*/x' };
    });
    const index = indexRoutesByPath(paths);
    for (let probe = 0; probe < 20; probe++) {
      const path = somePath();
      const candidates = index.candidates(path);
      const needed = paths.flatMap((match, position) => (mayMatch(match, path) ? [position] : []));
      for (const position of needed) {
        assert.ok(
          candidates.includes(position),
          `route ${position} ${JSON.stringify(paths[position])} for ${path}`,
        );
      }
      assert.deepEqual(
        [...candidates],
        [...new Set(candidates)].sort((a, b) => a - b),
      );
    }
  }
});

test('a path looks up its own segment prefixes only, not the whole table', () => {
  const paths = Array.from({ length: 1000 }, (_, i) => ({ prefix: `/service-${i}` }));
  assert.deepEqual(indexRoutesByPath(paths).candidates('/service-999/item'), [999]);
  assert.deepEqual(indexRoutesByPath([{ prefix: '/' }, { exact: '/a' }]).candidates('/a'), [0, 1]);
});
