import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstLineWithin, wrapWords } from './text-fit.ts';

test('a shortened first line ends after a whole word, marked as cut', () => {
  assert.equal(firstLineWithin('short enough\nsecond line', 40), 'short enough');
  assert.equal(firstLineWithin('expected each backend to receive exactly 3', 20), 'expected each …');
  assert.equal(firstLineWithin('averyveryverylongword and more', 10), 'averyveryverylongword …');
});

test('wrapped words keep each line within the width, and every word whole', () => {
  assert.deepEqual(wrapWords('b1 requests per second (sent)', 12), ['b1 requests', 'per second', '(sent)']);
  assert.deepEqual(wrapWords('x', 12), ['x']);
  assert.deepEqual(wrapWords('', 12), ['']);
  assert.deepEqual(wrapWords('unbreakableword ok', 5), ['unbreakableword', 'ok']);
});
