import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Measurements, StopOutcome } from './measurements.ts';
import { suggested } from './signature-testing.ts';

const stopped = (stop: StopOutcome, scenario = 'stop-answers-requests-in-flight'): Measurements => ({
  scenario,
  backends: [],
  exchanges: [],
  stop,
});

test('requests cut at the stop fit a stop that closes everything at once, most when all were', () => {
  assert.deepEqual(suggested(stopped({ inFlight: 4, cut: 4, exited: true })), ['stop-cuts-in-flight']);
  assert.deepEqual(suggested(stopped({ inFlight: 4, cut: 1, exited: true })), ['stop-cuts-in-flight']);
});

test('everything answered but no exit fits a stop that never exits', () => {
  assert.deepEqual(suggested(stopped({ inFlight: 4, cut: 0, exited: false })), ['stop-never-exits']);
  assert.deepEqual(suggested(stopped({ inFlight: 4, cut: 0, exited: true })), []);
});

test('HTTP/2 streams answered on a connection never ended fit a stop without GOAWAY, not one that never exits', () => {
  const h2 = 'stop-answers-http2-streams-in-flight';
  assert.deepEqual(suggested(stopped({ inFlight: 4, cut: 0, exited: false, http2Ended: false }, h2)), [
    'http2-no-goaway-at-stop',
  ]);
  assert.deepEqual(suggested(stopped({ inFlight: 4, cut: 0, exited: true, http2Ended: true }, h2)), []);
  // Still listening after the stop: it may not have taken the stop at all.
  assert.deepEqual(
    suggested(
      stopped({ inFlight: 4, cut: 0, exited: false, http2Ended: false, acceptingAfterStop: true }, h2),
    ),
    ['http2-no-goaway-at-stop', 'stop-never-exits'],
  );
});

test('a stop not yet judged suggests nothing', () => {
  assert.deepEqual(suggested(stopped({ inFlight: 4, exited: false })), []);
});
