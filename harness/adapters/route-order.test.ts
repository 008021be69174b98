import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RouteDocument } from '../spec/config-document.ts';
import { inPrecedenceOrder, pathRegex } from './route-order.ts';

test('routes are put in the precedence order the spec gives, whatever order they come in', () => {
  const routes: RouteDocument[] = [
    { name: 'root', pool: 'p', match: { path: { prefix: '/' } } },
    { name: 'api', pool: 'p', match: { path: { prefix: '/api' } } },
    { name: 'health', pool: 'p', match: { path: { exact: '/api/health' } } },
    { name: 'writes', pool: 'p', match: { path: { prefix: '/api' }, method: ['POST'] } },
    { name: 'users', pool: 'p', match: { path: { pattern: '/api/*/users' } } },
    { name: 'wild', pool: 'p', match: { host: '*.example' } },
    { name: 'exact-host', pool: 'p', match: { host: 'a.example' } },
  ];
  const expected = ['exact-host', 'wild', 'health', 'users', 'writes', 'api', 'root'];
  assert.deepEqual(
    inPrecedenceOrder(routes).map((route) => route.name),
    expected,
  );
  assert.deepEqual(
    inPrecedenceOrder([...routes].reverse()).map((route) => route.name),
    expected,
  );
});

test('path regexes follow segments: prefixes whole, "*" one segment, a final "/*" one or more', () => {
  const matches = (path: Parameters<typeof pathRegex>[0], candidate: string) =>
    new RegExp(pathRegex(path)).test(candidate);
  assert.ok(matches({ prefix: '/api' }, '/api') && matches({ prefix: '/api' }, '/api/x'));
  assert.ok(!matches({ prefix: '/api' }, '/apix'));
  assert.ok(matches({ prefix: '/' }, '/anything'));
  assert.ok(matches({ pattern: '/api/*/users' }, '/api/42/users'));
  assert.ok(!matches({ pattern: '/api/*/users' }, '/api/42/7/users'));
  assert.ok(matches({ pattern: '/static/*' }, '/static/img/a.png'));
  assert.ok(!matches({ pattern: '/static/*' }, '/static/') && !matches({ pattern: '/static/*' }, '/static'));
  assert.ok(matches({ exact: '/a.b' }, '/a.b') && !matches({ exact: '/a.b' }, '/axb'));
});
