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

test("a header's regex matching part of the value, and paths routed unresolved", () => {
  const canary = [{ pool: 'b3', headerRegexes: [{ name: 'X-Canary', regex: 'yes|true' }] }];
  const sent = (header: string, reached: string) => ({
    scenario: 'route-hosts-headers-query-parameters',
    backends: [],
    exchanges: [],
    routes: canary,
    routed: [{ method: 'GET', target: '/', header, expected: '404', reached }],
  });
  assert.deepEqual(top(sent('X-Canary: yes-but', 'b3')), ['header-regex-unanchored']);
  assert.deepEqual(top(sent('X-Canary: no', 'b3')), []);
  const scenario = 'hostile-dot-segments-doubled-slashes';
  assert.deepEqual(top(measured(scenario, [request('GET', '/public/../admin/users', 'b2', 'b1')])), [
    'paths-routed-unnormalised',
  ]);
  assert.deepEqual(top(measured(scenario, [request('GET', '/public/x', 'b2', 'b1')])), []);
  const passedRaw = {
    ...measured(scenario, []),
    receivedTargets: [{ expected: '/public/a/b/', received: '/public/./a//b/' }],
  };
  assert.deepEqual(top(passedRaw), ['paths-routed-unnormalised']);
});

test("a route's limit on the whole listener; absolute-form targets as paths; add as set", () => {
  const run = (path: string, statuses: number[]) => ({
    from: '127.0.0.2',
    path,
    headers: [],
    answers: statuses.map((status, i) => ({ status, sentAtMs: i })),
  });
  const limited = (...runs: ReturnType<typeof run>[]): Measurements => ({
    scenario: 'ratelimit-route-rate-limit-applies',
    backends: [],
    exchanges: [],
    routes: [{ pool: 'b2', prefix: '/search', rateLimited: true }],
    limitedRuns: runs,
  });
  assert.deepEqual(top(limited(run('/search?q=x', [200, 200, 429, 429]), run('/home', [429, 429]))), [
    'route-rate-limit-on-whole-listener',
  ]);
  assert.deepEqual(top(limited(run('/search?q=x', [200, 200, 200, 200]), run('/home', [200, 200]))), []);
  const absolute = (received: string): Measurements => ({
    scenario: 'hostile-absolute-form-target-reaches-backend',
    backends: [],
    exchanges: [],
    receivedTargets: [{ sent: 'http://admin.example/users?page=2', expected: '/users?page=2', received }],
  });
  assert.deepEqual(top(absolute('http://admin.example/users?page=2')), ['absolute-form-target-as-path']);
  assert.deepEqual(top(absolute('/users')), []);
  const added = (received: string): Measurements => ({
    scenario: 'action-route-removes-sets-adds',
    backends: [],
    exchanges: [],
    routes: [{ pool: 'b1', addsHeaders: ['X-Via'] }],
    handWritten: { sent: [['X-Via', 'client']], received: { 'x-via': received } },
  });
  assert.deepEqual(top(added('lbspec')), ['header-add-replaces-values']);
  assert.deepEqual(top(added('client, lbspec')), []);
});
