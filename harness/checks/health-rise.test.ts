import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Arrival, HealthAnswer } from '../backends/provider.ts';
import { expectNoArrivalBeforeRise, risenAtMs } from './health-rise.ts';

const passes = (status: number) => status === 200;
// Checks arrive every 200 ms from 1,000 and are answered 1 ms later; the backend passes from 1,100.
const answersOf = (statuses: readonly number[]): HealthAnswer[] =>
  statuses.map((status, k) => ({ askedAtMs: 1_000 + 200 * k, atMs: 1_001 + 200 * k, status }));
const since = 1_100;
const arrivalAt = (atMs: number): Arrival =>
  ({
    seq: atMs,
    atMs,
    requestId: null,
    method: 'GET',
    path: '/',
    remoteAddress: '127.0.0.1',
    remotePort: 1,
  }) as Arrival;

test('the rise is the answer that completes the passes in a row since the backend began to pass', () => {
  assert.equal(risenAtMs(answersOf([503, 200, 200, 200]), since, 3, passes), 1_601);
  assert.equal(risenAtMs(answersOf([503, 200, 503, 200, 200, 200]), since, 3, passes), 2_001);
  assert.equal(risenAtMs(answersOf([503, 200, 200]), since, 3, passes), Number.POSITIVE_INFINITY);
  // A pass that arrived before the backend began to pass belongs to an earlier run.
  assert.equal(risenAtMs(answersOf([200, 200, 200]), since, 3, passes), Number.POSITIVE_INFINITY);
});

test('a request that arrived before the rise fails, one after it passes', () => {
  const answers = answersOf([503, 200, 200, 200]);
  assert.doesNotThrow(() => expectNoArrivalBeforeRise('b1', [arrivalAt(1_602)], answers, since, 3, passes));
  assert.throws(
    () => expectNoArrivalBeforeRise('b1', [arrivalAt(1_250), arrivalAt(1_602)], answers, since, 3, passes),
    /no request on b1 before it answered its 3rd passed check in a row, but 1 arrived sooner, the first after 1 passed check in a row, 351 ms before the 3rd/,
  );
  // Arrivals before the backend began to pass are not this check's business.
  assert.doesNotThrow(() => expectNoArrivalBeforeRise('b1', [arrivalAt(1_050)], answers, since, 3, passes));
});

test('a request that arrived while the rise is still to come fails too', () => {
  assert.throws(
    () => expectNoArrivalBeforeRise('b1', [arrivalAt(1_250)], answersOf([503, 200]), since, 3, passes),
    /but 1 arrived sooner, the first after 1 passed check in a row$/,
  );
});
