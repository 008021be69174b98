import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Arrival } from '../backends/provider.ts';
import {
  expectFullJitterBackoff,
  expectRetriesWithinBudget,
  expectRuns,
  expectTrialsOnly,
} from './resilience-checks.ts';

const arrival = (atMs: number, requestId: string | null = null): Arrival => ({
  seq: 0,
  atMs,
  requestId,
  method: 'GET',
  path: '/',
  remoteAddress: '127.0.0.1',
  remotePort: 1,
});

/** Runs of `runLength` arrivals 1 ms apart, separated by `gaps`. */
function runs(runLength: number, gaps: readonly number[]): Arrival[] {
  const times: number[] = [];
  let now = 0;
  for (let run = 0; run <= gaps.length; run++) {
    for (let i = 0; i < runLength; i++) times.push(now + i);
    now += runLength - 1 + (gaps[run] ?? 0);
  }
  return times.map((t) => arrival(t));
}

test('ejection runs: the right runs and pauses pass; short, long or uneven ones fail', () => {
  expectRuns(runs(3, [310, 620, 605, 650]), [3, 3, 3, 3, 3], [300, 600, 600, 600], 500);
  assert.throws(
    () => expectRuns(runs(3, [300, 300, 300, 300]), [3, 3, 3, 3, 3], [300, 600, 600, 600], 500),
    /separated by 300 ms/,
  );
  assert.throws(
    () => expectRuns(runs(3, [300, 600, 900, 1200]), [3, 3, 3, 3, 3], [300, 600, 600, 600], 500),
    /1200 ms/,
  );
  assert.throws(
    () => expectRuns(runs(4, [300, 600, 600, 600]), [3, 3, 3, 3, 3], [300, 600, 600, 600], 500),
    /runs of 4/,
  );
  assert.throws(() => expectRuns(runs(3, [300]), [3, 3, 3], [300, 600], 500), /expected runs of 3/);
});

test('a stall inside a run, shorter than every expected pause, does not split it', () => {
  // Runs of 3 and 10, 300 ms apart, with a 200 ms stall between the 5th and 6th of the second run.
  const times = [0, 1, 2, 302, 303, 304, 305, 306, 506, 507, 508, 509, 510];
  expectRuns(
    times.map((t) => arrival(t)),
    [3, 10],
    [300],
    500,
  );
  // A pause cut short is no pause: the runs merge, and the check fails.
  const early = [0, 1, 2, 252, 253, 254, 255, 256, 257, 258, 259, 260, 261];
  assert.throws(
    () =>
      expectRuns(
        early.map((t) => arrival(t)),
        [3, 10],
        [300],
        500,
      ),
    /runs of 13/,
  );
});

/** Arrivals of `n` requests whose waits before each retry come from `wait(retry, i)`. */
function attempts(n: number, retries: number, wait: (retry: number, i: number) => number): Arrival[] {
  const all: Arrival[] = [];
  for (let i = 0; i < n; i++) {
    let at = i * 10_000;
    all.push(arrival(at, `r${i}`));
    for (let retry = 1; retry <= retries; retry++) {
      at += wait(retry, i);
      all.push(arrival(at, `r${i}`));
    }
  }
  return all;
}

const policy = { attempts: 3, baseIntervalMs: 100, maxIntervalMs: 1000 };
const cap = (retry: number) => 100 * 2 ** (retry - 1);

test('full jitter passes evenly spread waits and fails missing, fixed or non-growing backoff', () => {
  const even = (retry: number, i: number) => cap(retry) * ((i * 0.618) % 1) + 2;
  expectFullJitterBackoff(attempts(48, 3, even), policy, 500);
  assert.throws(
    () =>
      expectFullJitterBackoff(
        attempts(48, 3, () => 1),
        policy,
        500,
      ),
    /no backoff/,
  );
  assert.throws(
    () =>
      expectFullJitterBackoff(
        attempts(48, 3, (retry) => cap(retry) + 2),
        policy,
        500,
      ),
    /no jitter/,
  );
  assert.throws(
    () =>
      expectFullJitterBackoff(
        attempts(48, 3, (_, i) => 100 * ((i * 0.618) % 1)),
        policy,
        500,
      ),
    /retry 3: only 0 waits beyond half the cap/,
  );
  assert.throws(() => expectFullJitterBackoff(attempts(48, 2, even), policy, 500), /arrive 4 times/);
});

test('a retry budget allows its share plus the minimum per window, and requires some retries', () => {
  const budget = { percent: 20, minRetries: 5 };
  expectRetriesWithinBudget(200, 245, budget, 3_000);
  assert.throws(() => expectRetriesWithinBudget(200, 246, budget, 3_000), /between 1 and 45 retries/);
  expectRetriesWithinBudget(200, 250, budget, 15_000);
  assert.throws(() => expectRetriesWithinBudget(200, 200, budget, 3_000), /0 retries/);
});

test('trials only: after the first run, single requests at least the open time apart', () => {
  const times = [0, 1, 2, 400, 800, 1200].map((t) => arrival(t));
  expectTrialsOnly(times, 1, 300);
  assert.throws(
    () =>
      expectTrialsOnly(
        [0, 1, 2, 400, 401, 800].map((t) => arrival(t)),
        1,
        300,
      ),
    /runs of 3, 2, 1/,
  );
  assert.throws(
    () =>
      expectTrialsOnly(
        [0, 1, 2, 400].map((t) => arrival(t)),
        1,
        300,
      ),
    /at least two/,
  );
});
