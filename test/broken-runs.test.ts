import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { expectations } from './broken-expectations.ts';
import { spreadOverRuns } from './broken-runs.ts';

const breaks = {
  'always-first': ['spread', 'rotation', 'stopped'],
  'reverse-rotation': ['rotation'],
  'seeded-random': ['spread', 'rotation'],
  'silent-failure': ['stopped'],
};

test('every pair of balancer and scenario lands in exactly one run, no run holding a scenario twice', () => {
  const runs = spreadOverRuns(breaks, 2);
  const pairs = runs.flatMap((run) => [...run].map(([scenario, balancer]) => `${balancer} ${scenario}`));
  const expected = Object.entries(breaks).flatMap(([balancer, scenarios]) =>
    scenarios.map((scenario) => `${balancer} ${scenario}`),
  );
  assert.deepEqual(pairs.sort(), expected.sort());
});

test('a scenario broken by more balancers than runs asked for adds runs', () => {
  // "rotation" is broken by three balancers: three runs, however few were asked for.
  assert.equal(spreadOverRuns(breaks, 1).length, 3);
});

test('runs are filled evenly', () => {
  const sizes = spreadOverRuns(breaks, 4).map((run) => run.size);
  assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `sizes ${sizes}`);
});

test('every broken balancer in fixtures/broken has its expectations, and every expectation its balancer', async () => {
  const directory = new URL('../fixtures/broken/', import.meta.url);
  // distort.ts is the misreading of a config that most of them share, not a balancer; the soak in
  // .ci/run, not a scenario, must catch leaks-timers.
  const notScenarios = ['distort.ts', 'leaks-timers.ts'];
  const files = readdirSync(directory)
    .filter((name) => name.endsWith('.ts') && !notScenarios.includes(name))
    .map((name) => name.slice(0, -'.ts'.length));
  assert.deepEqual(files.sort(), Object.keys(expectations).sort());
});
