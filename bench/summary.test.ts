import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cpuTicks } from './process-usage.ts';
import { latencyChart, markdownTable, median, ratios, summarise } from './summary.ts';
import { parseWrkReport, type WrkResult } from './wrk.ts';

const wrk = (requests: number, p99Us: number): WrkResult => ({
  durationUs: 2_000_000,
  requests,
  bytes: requests * 300,
  errors: { connect: 0, read: 0, write: 0, status: 0, timeout: 0 },
  latencyUs: { '50': 1_000, '99': p99Us, '99.9': 2 * p99Us },
  maxUs: 3 * p99Us,
});

test("wrk's report line is parsed, and a missing one is an error that shows wrk's output", () => {
  const line = `Running 2s test\nLBSPEC-WRK ${JSON.stringify(wrk(10, 5))}\n`;
  assert.equal(parseWrkReport(line).requests, 10);
  assert.throws(() => parseWrkReport('unable to connect'), /no report line.*\n.*unable to connect/s);
});

test('rounds are summarised by their medians; CPU is per 1,000 requests', () => {
  const summary = summarise(
    'reference',
    [
      { wrk: wrk(20_000, 4_000), cpuSeconds: 2 },
      { wrk: wrk(10_000, 9_000), cpuSeconds: 1 },
      { wrk: wrk(30_000, 5_000), cpuSeconds: 3 },
    ],
    50e6,
  );
  assert.equal(summary.requestsPerSecond, 10_000);
  assert.equal(summary.latencyMs['99'], 5);
  assert.equal(summary.cpuMsPer1000Requests, 100);
  assert.equal(summary.peakRssMegabytes, 50);
  assert.deepEqual(summary.rounds, [10_000, 5_000, 15_000]);
  assert.equal(median([4, 1, 3, 2]), 2.5);
});

test('ratios put the reference against every other target', () => {
  const summaries = [
    summarise('nginx', [{ wrk: wrk(40_000, 2_000) }]),
    summarise('reference', [{ wrk: wrk(30_000, 3_000) }]),
  ];
  assert.deepEqual(ratios(summaries, 'reference'), [{ against: 'nginx', throughput: 0.75, p99: 1.5 }]);
  const table = markdownTable(summaries);
  assert.match(table, /\| nginx \| 20000 \|/);
  assert.match(table, /\| reference \| 15000 \| 4\.5 \| 1\.00 \| 3\.00 \| 6\.00 \| - \| - \| 0 \| 15000 \|/);
  const svg = latencyChart('small', summaries);
  assert.ok(svg.includes('<title>reference: p99 -&gt; 3 ms</title>'), 'the chart carries the p99 it draws');
});

test('CPU ticks come from the fields after the command name, whatever it holds', () => {
  const fields = Array.from({ length: 20 }, (_, i) => String(i + 3));
  fields[11] = '150';
  fields[12] = '50';
  assert.equal(cpuTicks(`42 (node (x) y) ${fields.join(' ')}`), 200);
  assert.equal(cpuTicks(''), 0);
});
