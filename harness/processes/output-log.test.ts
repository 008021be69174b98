import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OutputLog } from './runner.ts';

test("an output log gives its tail from a mark on, or the whole tail once the mark's lines are gone", () => {
  const log = new OutputLog('backend "b1"', new Promise(() => {}));
  log.record('stdout', 'listening as a1');
  const mark = log.written;
  log.record('stderr', 'renamed z9');
  assert.equal(log.text(mark), '[stderr] renamed z9\n');
  assert.equal(log.text(), '[stdout] listening as a1\n[stderr] renamed z9\n');
  for (let i = 0; i < 2_000; i++) log.record('stdout', `line ${i} ${'x'.repeat(40)}`);
  assert.equal(log.text(mark), log.text(), 'the tail no longer reaches back to the mark');
  assert.ok(log.text().length <= 64 * 1024);
  const late = log.written;
  log.record('stdout', 'last');
  assert.equal(log.text(late), '[stdout] last\n');
});
