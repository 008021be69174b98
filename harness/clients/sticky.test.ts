import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cookieAttributes, namesRevealed } from './sticky.ts';

const names = ['b1', '127.0.0.1:20949', '20949'];

test('a value that is a name, or holds a long one in clear or in base64, reveals it', () => {
  assert.deepEqual(namesRevealed('b1', names), ['b1']);
  assert.deepEqual(namesRevealed(Buffer.from('127.0.0.1:20949').toString('base64url'), names), [
    '127.0.0.1:20949',
    '20949',
  ]);
  assert.deepEqual(namesRevealed('x127.0.0.1:20949y', names), ['127.0.0.1:20949']);
  assert.deepEqual(namesRevealed(Buffer.from('port 20949!').toString('base64'), names), ['20949']);
});

test('a random token holding a short name by chance reveals nothing', () => {
  assert.deepEqual(namesRevealed('t3_99JK2iX24nb1JdeC5UQ', names), []);
  assert.deepEqual(namesRevealed('3fb1a920949c0de1', names), []);
});

test("a Set-Cookie's attributes: lower-case names and values, flags empty, the last of two with one name", () => {
  assert.deepEqual(
    [...cookieAttributes('lb=abc=; Path=/App; Max-Age=600; SameSite=Strict; HttpOnly; Max-Age=5')],
    [
      ['path', '/app'],
      ['max-age', '5'],
      ['samesite', 'strict'],
      ['httponly', ''],
    ],
  );
});
