import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HashKey } from '../config/types.ts';
import { cookieValue, keyOf } from './hash-key.ts';

const request = (target: string, headers: Record<string, string> = {}) => ({
  target,
  clientAddress: '127.0.0.7',
  clientPort: 40_000,
  header: (name: string) => headers[name],
});
const key = (hashKey: HashKey, target: string, headers: Record<string, string> = {}) =>
  keyOf(request(target, headers))(hashKey);

test('the key is exactly the named part of the request, and nothing around it', () => {
  const headers = { 'x-user': 'ann', cookie: 'a=1; session=s-42; b=2' };
  assert.equal(key({ from: 'header', name: 'X-User' }, '/', headers), 'ann');
  assert.equal(key({ from: 'cookie', name: 'session' }, '/', headers), 's-42');
  assert.equal(key({ from: 'query', name: 'user' }, '/p?n=1&user=u-9&m=2', headers), 'u-9');
  assert.equal(key({ from: 'path' }, '/items/7?n=1', headers), '/items/7');
  assert.equal(key({ from: 'client-ip' }, '/', headers), '127.0.0.7');
});

test('a query parameter as sent: the first of repeats, empty without "=", anything after the first "="', () => {
  const user = { from: 'query', name: 'user' } as const;
  assert.equal(key(user, '/?user=a&user=b'), 'a');
  assert.equal(key(user, '/?user'), '');
  assert.equal(key(user, '/?user=a=b'), 'a=b');
  assert.equal(key(user, '/?username=a&xuser=b'), undefined);
  assert.equal(key(user, '/?=user'), undefined);
  assert.equal(key(user, '/'), undefined);
});

test('a cookie as sent: spaces around pairs trimmed, the first of repeats, no match on a longer name', () => {
  assert.equal(cookieValue(' session = v1 ;session=v2', 'session'), 'v1');
  assert.equal(cookieValue('sessionid=x; session=y', 'session'), 'y');
  assert.equal(cookieValue('session=a=b', 'session'), 'a=b');
  assert.equal(cookieValue('=session; other=1', 'session'), undefined);
  assert.equal(cookieValue('session', 'session'), undefined, 'a pair without "=" has no value');
  assert.equal(cookieValue('sessionx', 'session'), undefined);
  assert.equal(cookieValue(undefined, 'session'), undefined);
});
