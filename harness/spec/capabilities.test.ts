import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  allCapabilities,
  declareCapabilities,
  parseCapabilityList,
  requiredCapabilities,
} from './capabilities.ts';

test('capability lists parse "all", commas, spaces and @', () => {
  assert.deepEqual(parseCapabilityList('all', 'x'), allCapabilities);
  assert.deepEqual(parseCapabilityList(' @l7, round-robin ,', 'x'), ['l7', 'round-robin']);
});

test('unknown capabilities are an error naming the known ones', () => {
  assert.throws(
    () => parseCapabilityList('l7, round-robn', 'LBSPEC_CAPABILITIES'),
    /LBSPEC_CAPABILITIES: unknown capabilities round-robn; known: l7/,
  );
});

test('undeclared capabilities get a reason', () => {
  const declared = declareCapabilities(['l7'], 'not declared', { l4: 'no TCP support' });
  assert.deepEqual(declared.supported, ['l7']);
  assert.equal(declared.reasons.l4, 'no TCP support');
  assert.equal(declared.reasons['round-robin'], 'not declared');
  assert.equal(declared.reasons.l7, undefined);
  assert.equal(Object.keys(declared.reasons).length, allCapabilities.length - 1);
});

test('scenario tags must name known capabilities and one task', () => {
  assert.deepEqual(requiredCapabilities(['@round-robin', '@task-01', '@l4']), ['round-robin', 'l4']);
  assert.throws(() => requiredCapabilities(['@round-robn', '@task-01', '@l4']), /unknown tags @round-robn/);
  assert.throws(() => requiredCapabilities(['@l4']), /no @task-NN tag/);
  assert.throws(() => requiredCapabilities(['@task-01']), /no capability tag/);
});
