import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalisePath, vetRequest } from './request-vetting.ts';

test('dot segments resolve and slashes merge; everything else stays byte for byte', () => {
  const cases: [string, string][] = [
    ['/public/../admin', '/admin'],
    ['/public/%2e%2e/admin', '/admin'],
    ['/public/%2E./admin?x=/../y', '/admin?x=/../y'],
    ['//admin', '/admin'],
    ['/a//b///c/', '/a/b/c/'],
    ['/a/./b', '/a/b'],
    ['/a/b/..', '/a/'],
    ['/a/b/.', '/a/b/'],
    ['/../../etc/passwd', '/etc/passwd'],
    ['/', '/'],
    ['/.hidden/a%2eb', '/.hidden/a%2eb'],
    ['/search/a%2Fb?q=caf%C3%A9', '/search/a%2Fb?q=caf%C3%A9'],
    ['/api/x?next=//evil', '/api/x?next=//evil'],
  ];
  for (const [raw, normal] of cases) assert.equal(normalisePath(raw), normal, raw);
});

const host = (value: string) => ['Host', value];

test('one Host that is a host; an absolute-form target routes by its authority', () => {
  assert.deepEqual(vetRequest('GET', '/x', host('app.example:8080')), {
    ok: true,
    host: 'app.example:8080',
    target: '/x',
  });
  assert.deepEqual(vetRequest('GET', '/x', [...host('[::1]:80')]).ok, true);
  assert.deepEqual(vetRequest('GET', '/x', []).ok, true, 'HTTP/1.0 needs no Host; the parser checks 1.1');
  for (const bad of ['bad host', 'a/b', 'a\\b', 'x:port', 'a"b']) {
    const vetted = vetRequest('GET', '/x', host(bad));
    assert.equal(vetted.ok, false, bad);
  }
  const twice = vetRequest('GET', '/x', [...host('a.example'), ...host('b.example')]);
  assert.deepEqual(twice, {
    ok: false,
    status: 400,
    message: 'the request has 2 Host headers; it must have one',
  });
  assert.deepEqual(vetRequest('GET', 'http://app.example/api/../x?q=1', host('other.example')), {
    ok: true,
    host: 'app.example',
    target: '/x?q=1',
    authority: 'app.example',
  });
  assert.deepEqual(vetRequest('GET', 'HTTP://app.example?q', host('app.example')), {
    ok: true,
    host: 'app.example',
    target: '/?q',
    authority: 'app.example',
  });
  for (const bad of ['http://user@app.example/', 'http:///x', 'ftp://app.example/', 'x', 'app.example:80']) {
    assert.equal(vetRequest('GET', bad, host('app.example')).ok, false, bad);
  }
  assert.equal(vetRequest('OPTIONS', '*', host('app.example')).ok, true);
  assert.equal(vetRequest('GET', '*', host('app.example')).ok, false);
});

test('only Host headers count as hosts, and only a whole absolute-form target is one', () => {
  const ok = vetRequest('GET', '/x', ['From', 'ann@example.org', 'Host', 'app.example', 'Date', 'today']);
  assert.deepEqual(ok, { ok: true, host: 'app.example', target: '/x' });
  assert.deepEqual(vetRequest('GET', 'http://app.example', []), {
    ok: true,
    host: 'app.example',
    target: '/',
    authority: 'app.example',
  });
  for (const target of ['xhttp://app.example/p', 'http://app.example/p#part', 'app.example/p', '*'])
    assert.equal(vetRequest('GET', target, ['Host', 'app.example']).ok, false, target);
  assert.equal(vetRequest('OPTIONS', '*', ['Host', 'app.example']).ok, true);
  assert.equal(
    vetRequest('OPTIONS', 'app.example/p', ['Host', 'app.example']).ok,
    false,
    'only OPTIONS * is not a path',
  );
});
