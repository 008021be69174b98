import assert from 'node:assert/strict';
import { test } from 'node:test';
import { roundOrder } from './rounds.ts';

test('each round starts one target further on, so every target is first once every n rounds', () => {
  const targets = ['reference', 'nginx', 'haproxy'];
  assert.deepEqual(roundOrder(targets, 0), ['reference', 'nginx', 'haproxy']);
  assert.deepEqual(roundOrder(targets, 1), ['nginx', 'haproxy', 'reference']);
  assert.deepEqual(roundOrder(targets, 2), ['haproxy', 'reference', 'nginx']);
  assert.deepEqual(roundOrder(targets, 3), targets);
  assert.deepEqual(roundOrder([], 4), []);
});
