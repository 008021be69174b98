import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chartSetting } from './chart-setting.ts';
import {
  backoffChart,
  bucketFor,
  laneLimit,
  rateLimitChart,
  requestsOverTimeChart,
  requestsPerBackendChart,
  timelineChart,
} from './scenario-charts.ts';
import { assertWellFormed, markTitles } from './svg-assertions.ts';

test('requests per backend: each count with its expected value and allowed range', () => {
  const chart = requestsPerBackendChart(
    [
      { id: 'b1', count: 10, expected: 10, low: 10, high: 10 },
      { id: 'b2', count: 12, expected: 10, low: 10, high: 10 },
    ],
    'exactly 10',
  );
  const svg = chart.render();
  assertWellFormed(svg);
  assert.equal(chart.fileName, 'requests-per-backend.svg');
  assert.deepEqual(markTitles(svg), [
    'b1: 10 requests, expected 10, allowed 10..10',
    'b2: 12 requests, expected 10, allowed 10..10',
  ]);
  assert.match(svg, /allowed range: exactly 10/);
});

test('requests over time: a count per backend per bucket, failures on their own line', () => {
  const at = 1_000_000;
  const svg = requestsOverTimeChart([
    { sentAtMs: at, backendId: 'b1', status: 200 },
    { sentAtMs: at + 5, backendId: 'b1', status: 200 },
    { sentAtMs: at + 250, backendId: 'b2', status: 200 },
    { sentAtMs: at + 300, status: 502 },
    { sentAtMs: at + 300, error: 'ECONNRESET' },
    // TCP exchanges carry no status: one greeted by b2 was answered, one that got nothing failed.
    { sentAtMs: at + 250, backendId: 'b2' },
    { sentAtMs: at + 300, backendId: 'b1', error: 'ECONNRESET' },
  ])?.render();
  assert.ok(svg);
  assertWellFormed(svg);
  const titles = markTitles(svg);
  assert.ok(titles.includes('b1: 0 s -> 2 requests'), titles.join('\n'));
  assert.ok(titles.includes('b2: 0.25 s -> 2 requests'), titles.join('\n'));
  assert.ok(titles.includes('failed (5xx or no answer): 0.3 s -> 3 requests'));
  assert.match(svg, /per 10 ms/);
  assert.equal(requestsOverTimeChart([]), undefined, 'no traffic, no chart');
  assert.equal(bucketFor(9_000), 500);
  assert.equal(bucketFor(0), 10);
});

test('rate limit: accepted and refused add up over time, under capacity plus refill', () => {
  const at = 5_000;
  const outcomes = [true, true, false, false, true].map((passed, i) => ({ sentAtMs: at + i * 500, passed }));
  const svg = rateLimitChart('127.0.0.2', outcomes, 2, 0.5)?.render();
  assert.ok(svg);
  assertWellFormed(svg);
  const titles = markTitles(svg);
  assert.ok(titles.includes('accepted (total): 2 s -> 3 requests'), titles.join('\n'));
  assert.ok(titles.includes('refused (total): 1.5 s -> 2 requests'));
  assert.ok(titles.includes('most a bucket allows: 2 s -> 3 requests'));
  assert.match(svg, /capacity 2, refill 0.5\/s/);
});

test('timeline: a lane per kind of event; a crowded lane is thinned and says so', () => {
  const busy = Array.from({ length: laneLimit * 2 + 1 }, (_, i) => i);
  const svg = timelineChart('breaker.svg', 'Breaker', [
    { name: 'arrived at b1', atMs: [0, 1000] },
    { name: 'refused: open', atMs: busy },
    { name: 'never', atMs: [] },
  ])?.render();
  assert.ok(svg);
  assertWellFormed(svg);
  const titles = markTitles(svg);
  assert.equal(titles[1], 'arrived at b1: 1 s -> arrived at b1');
  assert.ok(svg.includes(`>refused: open (1 in 3 of ${busy.length})<`));
  assert.equal(titles.length, 2 + Math.ceil(busy.length / 3));
  assert.doesNotMatch(svg, />never</, 'an empty lane is left out');
  assert.equal(timelineChart('x.svg', 'x', [{ name: 'none', atMs: [] }]), undefined);
});

test('backoff: every wait at its retry, with the cap and half the cap', () => {
  const svg = backoffChart(
    [
      [10, 90],
      [150, 30],
    ],
    [100, 200],
  )?.render();
  assert.ok(svg);
  assertWellFormed(svg);
  const titles = markTitles(svg);
  for (const expected of [
    'wait (one request): retry 1 -> 90 ms',
    'wait (one request): retry 2 -> 150 ms',
    'cap: longest allowed: retry 2 -> 200 ms',
    'half the cap: retry 1 -> 50 ms',
  ])
    assert.ok(titles.includes(expected), `${expected} in\n${titles.join('\n')}`);
  assert.equal(backoffChart([[], []], [100, 200]), undefined);
});

test('LBSPEC_CHARTS: always, on-failure (the default), or a clear error', () => {
  assert.equal(chartSetting(undefined), false);
  assert.equal(chartSetting('on-failure'), false);
  assert.equal(chartSetting('always'), true);
  assert.throws(
    () => chartSetting('yes'),
    /LBSPEC_CHARTS="yes" is not a setting: use "always" or "on-failure"/,
  );
});
