import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summariseTcp, tcpMarkdownTable, tcpRatios } from './tcp.ts';

const gib = 2 ** 30;

test('TCP rounds are summarised by their medians, with CPU per 10^9 bytes', () => {
  const summary = summariseTcp(
    'reference',
    [
      { bytes: gib, seconds: 1, cpuSeconds: 0.6 },
      { bytes: gib, seconds: 2, cpuSeconds: 0.4 },
      { bytes: gib, seconds: 0.5, cpuSeconds: 0.5 },
    ],
    80e6,
  );
  assert.equal(summary.gigabytesPerSecond, gib / 1e9);
  assert.equal(summary.cpuSecondsPerGigabyte, 0.5 / (gib / 1e9));
  assert.equal(summary.peakRssMegabytes, 80);
  assert.deepEqual(summary.rounds, [gib / 1e9, gib / 2e9, (2 * gib) / 1e9]);
  assert.equal(summariseTcp('direct', [{ bytes: gib, seconds: 1 }]).cpuSecondsPerGigabyte, undefined);
});

test('TCP ratios put the reference against every other target, and the table shows each round', () => {
  const summaries = [
    summariseTcp('haproxy', [{ bytes: 2e9, seconds: 2, cpuSeconds: 1 }]),
    summariseTcp('reference', [{ bytes: 1.8e9, seconds: 2, cpuSeconds: 1.2 }]),
  ];
  assert.deepEqual(tcpRatios(summaries, 'reference'), [{ against: 'haproxy', throughput: 0.9 }]);
  assert.deepEqual(tcpRatios(summaries, 'nginx'), []);
  assert.match(tcpMarkdownTable(summaries), /\| reference \| 0\.90 \| 0\.67 \| - \| 0\.90 \|/);
});
