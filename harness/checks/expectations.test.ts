import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Exchange } from '../clients/traffic.ts';
import {
  countByBackend,
  ExpectationError,
  expectAllSucceeded,
  expectAtLeast,
  expectExactShare,
  expectFailuresVisible,
  expectHeldInProportion,
  expectOutThenBack,
  expectRotation,
} from './expectations.ts';

const answered = (ids: string[]): Exchange[] =>
  ids.map((backendId, seq) => ({ client: 0, sentAtMs: 0, durationMs: 1, seq, backendId, status: 200 }));

test('counts follow the given order and include unknown answerers', () => {
  assert.deepEqual(
    [...countByBackend(answered(['b2', 'b1', 'b2', 'x']), ['b1', 'b2', 'b3'])],
    [
      ['b1', 1],
      ['b2', 2],
      ['b3', 0],
      ['x', 1],
    ],
  );
});

test('all-succeeded rejects errors, 5xx and unidentified answers, listing them', () => {
  expectAllSucceeded(answered(['b1', 'b2']));
  const bad: Exchange[] = [
    { client: 0, sentAtMs: 0, durationMs: 1, seq: 0, error: 'ECONNRESET: reset' },
    { client: 0, sentAtMs: 0, durationMs: 1, seq: 1, status: 502, note: 'HTTP 502' },
    { client: 0, sentAtMs: 0, durationMs: 1, seq: 2, status: 200 },
  ];
  assert.throws(
    () => expectAllSucceeded(bad),
    (error: Error) => {
      assert.ok(error instanceof ExpectationError);
      assert.match(error.message, /3 did not/);
      assert.match(error.message, /ECONNRESET/);
      return true;
    },
  );
});

test('exact share needs backend and client counts to agree on every backend', () => {
  const received = new Map([
    ['b1', 2],
    ['b2', 2],
  ]);
  expectExactShare(received, new Map(received), 2);
  assert.throws(
    () =>
      expectExactShare(
        received,
        new Map([
          ['b1', 2],
          ['b2', 1],
        ]),
        2,
      ),
    /b2: received 2, answered 1, expected 2/,
  );
  assert.throws(
    () =>
      expectExactShare(
        new Map([
          ['b1', 3],
          ['b2', 1],
        ]),
        new Map([
          ['b1', 3],
          ['b2', 1],
        ]),
        2,
      ),
    /b1: received 3/,
  );
  assert.throws(
    () => expectExactShare(received, new Map([...received, ['ghost', 1]]), 2),
    /unknown backends: ghost/,
  );
});

test('rotation accepts any start but no skip, repeat or reversal', () => {
  const order = ['b3', 'b1', 'b2'];
  expectRotation(['b3', 'b1', 'b2', 'b3'], order);
  expectRotation(['b1', 'b2', 'b3', 'b1'], order);
  assert.throws(
    () => expectRotation(['b3', 'b2', 'b1'], order),
    /request 1 went to b2 after b3, where b1 was due/,
  );
  assert.throws(() => expectRotation(['b3', 'b3'], order), /went to b3 after b3/);
  assert.throws(() => expectRotation(['b3', undefined], order), /went to \(no backend\)/);
});

test('failures must be visible: a success needs a running backend behind it', () => {
  const running = new Set(['b1', 'b3']);
  expectFailuresVisible(
    [
      { client: 0, sentAtMs: 0, durationMs: 1, seq: 0, backendId: 'b1', status: 200 },
      { client: 0, sentAtMs: 0, durationMs: 1, seq: 1, status: 502 },
      { client: 0, sentAtMs: 0, durationMs: 1, seq: 2, error: 'ECONNREFUSED' },
    ],
    running,
  );
  assert.throws(
    () =>
      expectFailuresVisible(
        [{ client: 0, sentAtMs: 0, durationMs: 1, seq: 0, status: 200, note: 'empty' }],
        running,
      ),
    /1 were neither/,
  );
  assert.throws(
    () =>
      expectFailuresVisible(
        [{ client: 0, sentAtMs: 0, durationMs: 1, seq: 0, status: 200, backendId: 'b2' }],
        running,
      ),
    /neither/,
  );
  assert.throws(
    () =>
      expectFailuresVisible(
        [
          {
            client: 0,
            sentAtMs: 0,
            durationMs: 1,
            seq: 0,
            status: 200,
            backendId: 'b1',
            error: 'header says b1, body says b2',
          },
        ],
        running,
      ),
    /neither/,
  );
});

test('at-least names every backend short of its minimum', () => {
  const received = new Map([
    ['b1', 10],
    ['b3', 9],
  ]);
  expectAtLeast(received, ['b1'], 10);
  assert.throws(() => expectAtLeast(received, ['b1', 'b3'], 10), /b3: received 9, expected at least 10/);
});

test('held requests must sit on the backends exactly in proportion to the weights', () => {
  const weights = new Map([
    ['b1', 3],
    ['b2', 1],
  ]);
  expectHeldInProportion(['b1', 'b2', 'b1', 'b1', 'b1', 'b1', 'b2', 'b1'], weights);
  assert.throws(
    () => expectHeldInProportion(['b1', 'b2', 'b1', 'b2', 'b1', 'b2', 'b1', 'b2'], weights),
    /b1: 4 held, expected 6 \(weight 3\)/,
  );
  assert.throws(
    () => expectHeldInProportion(['b1', 'b2', 'b1'], weights),
    /multiple of the total weight \(4\)/,
  );
});

test('a backend out of rotation and back shows a long run without it, followed by it', () => {
  const rotation = ['b1', 'b2', 'b3', 'b1', 'b2', 'b3'];
  const out = ['b2', 'b3', 'b2', 'b3', 'b2', 'b3'];
  expectOutThenBack([...rotation, ...out, ...rotation], 'b1', 6);
  assert.throws(
    () => expectOutThenBack([...rotation, ...rotation], 'b1', 6),
    /longest run without b1 that it came back after was 2/,
  );
  // Out at the end, never back: not enough.
  assert.throws(() => expectOutThenBack([...rotation, ...out], 'b1', 6), /\(8 at the end\)/);
});

test('a failed check carries no stack trace: reports show its message alone', () => {
  const error = new ExpectationError('expected 3:\n  b1: got 30');
  assert.equal(error.stack, 'Error: expected 3:\n  b1: got 30');
  assert.equal(error.code, 'LBSPEC_EXPECTATION');
});
