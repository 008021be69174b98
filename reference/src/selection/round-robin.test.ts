import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildRoundRobin } from './round-robin.ts';

test('round robin rotates in list order from the first backend', () => {
  const selector = buildRoundRobin(['a', 'b', 'c']);
  const picks = Array.from({ length: 7 }, () => selector.pick());
  assert.deepEqual(picks, ['a', 'b', 'c', 'a', 'b', 'c', 'a']);
});

test('round robin over one backend always picks it', () => {
  const selector = buildRoundRobin(['only']);
  assert.deepEqual([selector.pick(), selector.pick()], ['only', 'only']);
});

test('round robin over no backends picks nothing', () => {
  assert.equal(buildRoundRobin([]).pick(), undefined);
});

test('round robin keeps its own copy of the snapshot', () => {
  const backends = ['a', 'b'];
  const selector = buildRoundRobin(backends);
  backends.push('c');
  assert.deepEqual([selector.pick(), selector.pick(), selector.pick()], ['a', 'b', 'a']);
});
