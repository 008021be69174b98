import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redirectLocation, replacePrefix, rewriteTarget } from './rewrite.ts';

test('a prefix is replaced with exactly one slash at the join, whatever the slashes', () => {
  const cases: [string, string, string, string][] = [
    ['/api/v1/x', '/api/v1', '/', '/x'],
    ['/api/v1', '/api/v1', '/', '/'],
    ['/api/v1/', '/api/v1', '/', '/'],
    ['/old/a/b', '/old', '/new', '/new/a/b'],
    ['/old', '/old/', '/new/', '/new'],
    ['/old/', '/old', '/new', '/new/'],
    ['/a%2Fb/c', '/a%2Fb', '/z', '/z/c'],
  ];
  for (const [path, prefix, replacement, expected] of cases)
    assert.equal(replacePrefix(path, prefix, replacement), expected, `${path} ${prefix} -> ${replacement}`);
});

test('a rewrite keeps the query string byte for byte', () => {
  const target = '/api/v1/items?q=caf%C3%A9+x&empty=&=';
  assert.equal(rewriteTarget(target, { prefix: '/' }, '/api/v1'), '/items?q=caf%C3%A9+x&empty=&=');
  assert.equal(rewriteTarget(target, { path: '/all' }, undefined), '/all?q=caf%C3%A9+x&empty=&=');
  assert.equal(rewriteTarget(target, { host: 'internal' }, '/api'), target);
  assert.equal(
    rewriteTarget(target, { prefix: '/' }, '/api/v1', (path, prefix, replacement) =>
      path.replace(prefix, replacement),
    ),
    '//items?q=caf%C3%A9+x&empty=&=',
  );
});

test('a redirect keeps the authority the client sent unless it changes scheme, host or port', () => {
  const request = { target: '/old/page?a=%20', hostHeader: 'App.example:8080', hostName: 'app.example' };
  assert.equal(
    redirectLocation(request, { status: 301 }, undefined),
    'http://App.example:8080/old/page?a=%20',
  );
  assert.equal(
    redirectLocation(request, { status: 308, prefix: '/new' }, '/old'),
    'http://App.example:8080/new/page?a=%20',
  );
  assert.equal(
    redirectLocation(request, { status: 302, scheme: 'https' }, undefined),
    'https://app.example/old/page?a=%20',
  );
  assert.equal(
    redirectLocation(request, { status: 307, host: 'b.example', port: 9443, path: '/x' }, undefined),
    'http://b.example:9443/x?a=%20',
  );
  assert.equal(
    redirectLocation({ ...request, hostHeader: undefined, hostName: undefined }, { status: 302 }, undefined),
    '/old/page?a=%20',
  );
  assert.equal(
    redirectLocation(request, { status: 302, host: 'b.example' }, undefined),
    'http://b.example/old/page?a=%20',
  );
  assert.equal(
    redirectLocation(request, { status: 302, port: 9443 }, undefined),
    'http://app.example:9443/old/page?a=%20',
  );
  assert.equal(
    redirectLocation(request, { status: 301, scheme: 'https' }, '/old'),
    'https://app.example/old/page?a=%20',
    'a route matched by prefix, redirected without a new prefix, keeps its path',
  );
  assert.equal(
    redirectLocation(
      { ...request, hostHeader: undefined, hostName: undefined },
      { status: 302, scheme: 'https' },
      undefined,
    ),
    '/old/page?a=%20',
    'a new scheme and no host to go with it: the path alone',
  );
});

test('a prefix written with a trailing slash, and a replacement with several, still join with one slash', () => {
  assert.equal(replacePrefix('/api/x', '/api/', '/new'), '/new/x');
  assert.equal(replacePrefix('/api/x', '/api', '/new//'), '/new/x');
});
