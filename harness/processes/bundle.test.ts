import assert from 'node:assert/strict';
import { test } from 'node:test';
import { staleBundles } from './bundle.ts';

const day = 24 * 60 * 60 * 1000;
const now = 100 * day;

test("a program's bundles unused for over a day are stale, with the partial ones left behind", () => {
  const found = [
    { name: 'main-0123456789abcdef', mtimeMs: now - 2 * day },
    { name: 'main-fedcba9876543210', mtimeMs: now - 60_000 },
    { name: 'main-0123456789abcdee.4242.partial', mtimeMs: now - 3 * day },
    { name: 'server-0123456789abcdef', mtimeMs: now - 2 * day },
    { name: 'main-extra-0123456789abcdef', mtimeMs: now - 2 * day },
    { name: 'main-notahash', mtimeMs: now - 2 * day },
  ];
  assert.deepEqual(staleBundles(found, 'main', now), [
    'main-0123456789abcdef',
    'main-0123456789abcdee.4242.partial',
  ]);
  assert.deepEqual(staleBundles(found, 'server', now), ['server-0123456789abcdef']);
  assert.deepEqual(staleBundles(found, 'main-extra', now), ['main-extra-0123456789abcdef']);
});

test('a name with regular-expression characters matches only itself', () => {
  const found = [
    { name: 'a.b-0123456789abcdef', mtimeMs: 0 },
    { name: 'axb-0123456789abcdef', mtimeMs: 0 },
  ];
  assert.deepEqual(staleBundles(found, 'a.b', now), ['a.b-0123456789abcdef']);
});
