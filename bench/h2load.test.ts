import assert from 'node:assert/strict';
import { test } from 'node:test';
import { h2loadResult } from './h2load.ts';

const summary = `finished in 1.00s, 10023.00 req/s, 303.56KB/s
requests: 10023 total, 10025 started, 10023 done, 10020 succeeded, 2 failed, 1 errored, 0 timeout
traffic: 303.56KB (310841) total, 19.67KB (20138) headers (space savings 95.33%), 19.58KB (20046) data`;

test("h2load's summary and per-request log read as a wrk result, percentiles from the log", () => {
  const log = Array.from({ length: 100 }, (_, i) => `17964909589${i}\t200\t${(i + 1) * 10}`).join('\n');
  const result = h2loadResult(summary, `${log}\n`);
  assert.equal(result.durationUs, 1_000_000);
  assert.equal(result.requests, 10020);
  assert.equal(result.bytes, 310841);
  assert.deepEqual(result.errors, { connect: 0, read: 1, write: 0, status: 2, timeout: 0 });
  assert.equal(result.latencyUs['50'], 500);
  assert.equal(result.latencyUs['99'], 990);
  assert.equal(result.maxUs, 1000);
});

test('an h2load output without its summary is an error that shows the output', () => {
  assert.throws(
    () => h2loadResult('connect error', ''),
    /h2load printed no summary; its output:\nconnect error/,
  );
});
