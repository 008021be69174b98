import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RouteConfig } from '../config/types.ts';
import { compileRouter } from './router.ts';

const request = (
  target: string,
  { method = 'GET', host = 'app.example', headers = {} as Record<string, string> } = {},
) => ({
  method,
  host,
  target,
  header: (name: string) => headers[name],
});

const routes: RouteConfig[] = [
  { name: 'root', pool: 'web', match: { path: { prefix: '/' } } },
  { name: 'api', pool: 'api', match: { path: { prefix: '/api' } } },
  { name: 'health', pool: 'ops', match: { path: { exact: '/api/health' } } },
  { name: 'users', pool: 'users', match: { path: { pattern: '/api/*/users' } } },
  { name: 'static', pool: 'files', match: { path: { pattern: '/static/*' } } },
  { name: 'writes', pool: 'writer', match: { path: { prefix: '/api' }, method: ['POST', 'PUT'] } },
  {
    name: 'canary',
    pool: 'canary',
    match: { path: { prefix: '/api' }, headers: [{ name: 'x-canary', present: true }] },
  },
  { name: 'v2', pool: 'v2', match: { path: { prefix: '/api' }, query: [{ name: 'v', exact: '2' }] } },
  { name: 'admin-host', pool: 'admin', match: { host: 'admin.example' } },
  { name: 'wild-host', pool: 'tenants', match: { host: '*.tenants.example' } },
];

const poolOf = (router: ReturnType<typeof compileRouter>, ...args: Parameters<typeof request>) => {
  const decision = router.route(request(...args));
  return decision?.kind === 'forward' ? decision.pool : (decision?.kind ?? '404');
};

test('the most specific route wins, whatever the order routes are listed in', () => {
  for (const order of [routes, [...routes].reverse()]) {
    const router = compileRouter(order);
    assert.equal(poolOf(router, '/'), 'web');
    assert.equal(poolOf(router, '/api/x'), 'api');
    assert.equal(poolOf(router, '/api/health'), 'ops');
    assert.equal(poolOf(router, '/api/42/users'), 'users');
    assert.equal(poolOf(router, '/api/x', { method: 'POST' }), 'writer');
    assert.equal(poolOf(router, '/api/x', { headers: { 'x-canary': '1' } }), 'canary');
    assert.equal(poolOf(router, '/api/x?v=2&w=1'), 'v2');
    assert.equal(poolOf(router, '/api/health', { host: 'admin.example:8080' }), 'admin');
    assert.equal(poolOf(router, '/', { host: 'a.b.tenants.example' }), 'tenants');
  }
});

test('prefixes match whole segments, patterns match one segment per star', () => {
  const router = compileRouter(routes);
  assert.equal(poolOf(router, '/apix'), 'web');
  assert.equal(poolOf(router, '/api'), 'api');
  assert.equal(poolOf(router, '/api/'), 'api');
  assert.equal(poolOf(router, '/api/42/orders'), 'api');
  assert.equal(poolOf(router, '/api/users'), 'api');
  assert.equal(poolOf(router, '/static'), 'web', 'a trailing /* needs one more segment');
  assert.equal(poolOf(router, '/static/a/b.css'), 'files');
});

test('wildcard hosts need at least one label more; no route and no default is a 404', () => {
  const router = compileRouter([{ name: 'wild', pool: 't', match: { host: '*.example' } }]);
  assert.equal(poolOf(router, '/', { host: 'example' }), '404');
  assert.equal(poolOf(router, '/', { host: 'A.Example' }), 't');
  assert.equal(poolOf(compileRouter([], 'fallback'), '/x'), 'fallback');
});

test('header regexes must match the whole value', () => {
  const router = compileRouter([
    { name: 'v', pool: 'versioned', match: { headers: [{ name: 'x-version', regex: 'v[0-9]+' }] } },
  ]);
  assert.equal(poolOf(router, '/', { headers: { 'x-version': 'v12' } }), 'versioned');
  assert.equal(poolOf(router, '/', { headers: { 'x-version': 'v12-beta' } }), '404');
});

test('a split shares requests by weight in a smooth rotation; a route rewrites or redirects', () => {
  const router = compileRouter([
    {
      name: 'canary',
      split: [
        { pool: 'stable', weight: 3 },
        { pool: 'canary', weight: 1 },
      ],
      match: {},
    },
    {
      name: 'api',
      pool: 'api',
      match: { path: { prefix: '/api/v1' } },
      rewrite: { prefix: '/', host: 'internal' },
      responseHeaders: { set: { 'x-route': 'api' } },
    },
    { name: 'moved', redirect: { status: 308, prefix: '/new' }, match: { path: { prefix: '/old' } } },
  ]);
  assert.deepEqual(
    Array.from({ length: 8 }, () => poolOf(router, '/')),
    ['stable', 'stable', 'canary', 'stable', 'stable', 'stable', 'canary', 'stable'],
  );
  assert.deepEqual(router.route(request('/api/v1/x?y=1')), {
    kind: 'forward',
    pool: 'api',
    route: 'api',
    target: '/x?y=1',
    upstreamHost: 'internal',
    responseHeaders: { set: { 'x-route': 'api' } },
  });
  assert.deepEqual(router.route(request('/old/a?b', { host: 'h.example' })), {
    kind: 'redirect',
    route: 'moved',
    status: 308,
    location: 'http://h.example/new/a?b',
  });
});
