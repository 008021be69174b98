import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HealthState } from './health-state.ts';

const thresholds = { healthyThreshold: 2, unhealthyThreshold: 3 };

function run(state: HealthState, results: string): string {
  return [...results].map((r) => (state.observe(r === '+') ? (state.healthy ? 'U' : 'D') : '.')).join('');
}

test('a healthy backend falls after unhealthyThreshold failures in a row and rises after healthyThreshold passes', () => {
  const state = new HealthState(thresholds, true);
  assert.equal(run(state, '---++'), '..D.U');
  assert.equal(state.healthy, true);
});

test('a flapping backend keeps its state: no run reaches a threshold', () => {
  const state = new HealthState(thresholds, true);
  assert.equal(run(state, '--+--+--+'), '.........');
  assert.equal(state.healthy, true);
  const down = new HealthState(thresholds, false);
  assert.equal(run(down, '+-+-+-'), '......');
  assert.equal(down.healthy, false);
});

test('the initial state is what the config says', () => {
  assert.equal(new HealthState(thresholds, false).healthy, false);
  const state = new HealthState(thresholds, false);
  assert.equal(run(state, '++'), '.U');
});
