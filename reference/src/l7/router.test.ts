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

test('a header regex that takes any value still needs the header', () => {
  const router = compileRouter([
    { name: 'any', pool: 'tagged', match: { headers: [{ name: 'x-tag', regex: '.*' }] } },
  ]);
  assert.equal(poolOf(router, '/', { headers: { 'x-tag': '' } }), 'tagged');
  assert.equal(poolOf(router, '/'), '404');
});

test("a redirect route's response header rules go with its redirect", () => {
  const router = compileRouter([
    {
      name: 'moved',
      redirect: { status: 301, path: '/new' },
      responseHeaders: { set: { 'cache-control': 'no-store' } },
      match: { path: { exact: '/old' } },
    },
  ]);
  assert.deepEqual(router.route(request('/old')), {
    kind: 'redirect',
    route: 'moved',
    status: 301,
    location: 'http://app.example/new',
    responseHeaders: { set: { 'cache-control': 'no-store' } },
  });
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

test('header and query matches: exact values, presence, any of a repeated parameter', () => {
  const router = compileRouter([
    { name: 'gold', pool: 'gold', match: { headers: [{ name: 'X-Tier', exact: 'gold' }] } },
    { name: 'debug', pool: 'debug', match: { query: [{ name: 'debug', present: true }] } },
    { name: 'v2', pool: 'v2', match: { query: [{ name: 'v', exact: '2' }] } },
  ]);
  assert.equal(poolOf(router, '/', { headers: { 'x-tier': 'gold' } }), 'gold');
  assert.equal(poolOf(router, '/', { headers: { 'x-tier': 'silver' } }), '404');
  assert.equal(poolOf(router, '/', { headers: { 'x-tier': 'Gold' } }), '404');
  assert.equal(poolOf(router, '/?debug'), 'debug');
  assert.equal(poolOf(router, '/?debugging=1'), '404');
  assert.equal(poolOf(router, '/?v=1&v=2'), 'v2');
  assert.equal(poolOf(router, '/?v=22'), '404');
});

test('hosts: a port is not part of the name, an IPv6 literal keeps its brackets, an exact host takes no subdomain', () => {
  const router = compileRouter([
    { name: 'app', pool: 'app', match: { host: 'app.example' } },
    { name: 'v6', pool: 'v6', match: { host: '[::1]' } },
    { name: 'wild', pool: 'wild', match: { host: '*.example' } },
  ]);
  assert.equal(poolOf(router, '/', { host: 'app.example:8080' }), 'app');
  assert.equal(poolOf(router, '/', { host: 'APP.example:' }), 'app');
  assert.equal(poolOf(router, '/', { host: '[::1]:8080' }), 'v6');
  assert.equal(poolOf(router, '/', { host: 'x.app.example' }), 'wild');
  assert.equal(poolOf(router, '/', { host: '.example' }), '404', 'a wildcard needs a label');
  assert.equal(poolOf(router, '/', { host: 'app.example.org' }), '404');
  const noHost = router.route({ method: 'GET', host: undefined, target: '/', header: () => undefined });
  assert.equal(noHost, undefined, 'a request without a Host matches no host route');
});

test('precedence: an exact host, then the longest wildcard; an exact path, then literal segments, a prefix over a pattern; then the name', () => {
  const ranked: RouteConfig[] = [
    { name: 'any', pool: 'any', match: { path: { prefix: '/' } } },
    { name: 'wild', pool: 'wild', match: { host: '*.example' } },
    { name: 'wild-deep', pool: 'wild-deep', match: { host: '*.a.example' } },
    { name: 'z-exact-host', pool: 'exact-host', match: { host: 'x.a.example' } },
    { name: 'b-docs', pool: 'b-docs', match: { path: { prefix: '/docs' } } },
    { name: 'a-docs', pool: 'a-docs', match: { path: { prefix: '/docs/' } } },
    // Named to sort first: only a prefix's precedence over a pattern puts it after the prefixes.
    { name: '0-docs-pattern', pool: 'docs-pattern', match: { path: { pattern: '/docs/*' } } },
    { name: 'docs-deep', pool: 'docs-deep', match: { path: { pattern: '/docs/*/raw' } } },
    { name: 'docs-exact', pool: 'docs-exact', match: { path: { exact: '/docs/index' } } },
  ];
  for (const order of [ranked, [...ranked].reverse()]) {
    const router = compileRouter(order);
    assert.equal(poolOf(router, '/', { host: 'x.a.example' }), 'exact-host');
    assert.equal(poolOf(router, '/', { host: 'y.a.example' }), 'wild-deep');
    assert.equal(poolOf(router, '/', { host: 'z.example' }), 'wild');
    assert.equal(poolOf(router, '/', { host: 'other' }), 'any');
    assert.equal(poolOf(router, '/docs/index', { host: 'other' }), 'docs-exact');
    assert.equal(poolOf(router, '/docs/x/raw', { host: 'other' }), 'docs-deep');
    assert.equal(
      poolOf(router, '/docs/x', { host: 'other' }),
      'a-docs',
      'a prefix over a pattern; then by name',
    );
  }
});

test('patterns: a trailing /* takes one segment or more, any other star exactly one', () => {
  const router = compileRouter([
    { name: 'open', pool: 'open', match: { path: { pattern: '/a/b/*' } } },
    { name: 'closed', pool: 'closed', match: { path: { pattern: '/c/*/' } } },
    { name: 'any', pool: 'any', match: { path: { pattern: '/*' } } },
  ]);
  assert.equal(poolOf(router, '/a/b/c/d'), 'open');
  assert.equal(poolOf(router, '/a/x/y'), 'any');
  assert.equal(poolOf(router, '/c/d'), 'closed');
  assert.equal(poolOf(router, '/c/d/e'), 'any');
  assert.equal(poolOf(router, '/'), '404');
});

test('an IPv6 literal host, with or without a port, keeps its brackets and every colon', () => {
  const router = compileRouter([{ name: 'v6', pool: 'v6', match: { host: '[2001:db8::1]' } }]);
  for (const host of ['[2001:db8::1]', '[2001:DB8::1]:8080', '[2001:db8::1]:'])
    assert.equal(poolOf(router, '/', { host }), 'v6', host);
  assert.equal(poolOf(router, '/', { host: '[2001:db8::2]' }), '404');
});

test('any path outranks a method and headers, however many', () => {
  const routes: RouteConfig[] = [
    { name: 'root', pool: 'root', match: { path: { prefix: '/' } } },
    {
      name: 'by-headers',
      pool: 'by-headers',
      match: {
        method: ['GET'],
        headers: [
          { name: 'x-a', present: true },
          { name: 'x-b', present: true },
        ],
      },
    },
  ];
  for (const order of [routes, [...routes].reverse()])
    assert.equal(poolOf(compileRouter(order), '/', { headers: { 'x-a': '1', 'x-b': '1' } }), 'root');
});
