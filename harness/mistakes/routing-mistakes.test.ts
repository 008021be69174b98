import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Measurements } from './measurements.ts';
import { suggested } from './signature-testing.ts';

const routes = [
  { pool: 'b1', prefix: '/' },
  { pool: 'b2', prefix: '/api' },
  { pool: 'b3' },
  { pool: 'b4', prefix: '/api', methods: ['POST'] },
];
const request = (method: string, target: string, expected: string, reached: string) => ({
  method,
  target,
  expected,
  reached,
});
const measured = (scenario: string, routed: NonNullable<Measurements['routed']>): Measurements => ({
  scenario,
  backends: [],
  exchanges: [],
  routes,
  routed,
});
const top = suggested;

test('every request where it belongs fits no routing mistake', () => {
  const right = [request('GET', '/api/x', 'b2', 'b2'), request('POST', '/api/x', 'b4', 'b4')];
  assert.deepEqual(top(measured('route-most-specific-wins-whichever-general-first', right)), []);
});

test('a prefix taken mid-segment, a method not counted, and routes taken in the order written', () => {
  assert.deepEqual(
    top(measured('route-prefixes-match-whole-segments', [request('GET', '/apix', 'b1', 'b2')])),
    ['route-prefix-matched-as-text'],
  );
  assert.deepEqual(
    top(
      measured('route-most-specific-wins-whichever-specific-first', [request('GET', '/api/x', 'b2', 'b4')]),
    ),
    ['route-method-ignored'],
  );
  assert.deepEqual(
    top(
      measured('route-most-specific-wins-whichever-general-first', [
        request('GET', '/api/health', 'b3', 'b1'),
      ]),
    ),
    ['routes-first-match-wins'],
  );
});

test('a target without its query, a rewrite with a doubled slash, and redirects all of one status', () => {
  const bare = (extra: Partial<Measurements>): Measurements => ({
    scenario: '',
    backends: [],
    exchanges: [],
    ...extra,
  });
  const target = '/search?q=a';
  assert.deepEqual(
    top({
      ...bare({ receivedTargets: [{ expected: target, received: '/search' }] }),
      scenario: 'proxy-request-target-reaches-backend',
    }),
    ['query-string-dropped'],
  );
  assert.deepEqual(
    top({
      ...bare({ receivedTargets: [{ expected: target, received: target }] }),
      scenario: 'proxy-request-target-reaches-backend',
    }),
    [],
  );
  assert.deepEqual(
    top({
      ...bare({ receivedTargets: [{ expected: '/items?q=1', received: '//items?q=1' }] }),
      scenario: 'action-rewrite-replaces-matched-prefix',
    }),
    ['rewrite-prefix-replaced-as-text'],
  );
  const redirects = [301, 302, 307, 308].map((expected) => ({ expected, status: 302 }));
  assert.deepEqual(top({ ...bare({ redirects }), scenario: 'action-redirects-answer-own-status' }), [
    'redirect-status-fixed',
  ]);
});
