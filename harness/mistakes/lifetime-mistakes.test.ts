import assert from 'node:assert/strict';
import { test } from 'node:test';
import { soakScenario } from './lifetime-mistakes.ts';
import type { Measurements } from './measurements.ts';
import { suggested } from './signature-testing.ts';

const soaked = (timers: number): Measurements => ({
  scenario: soakScenario,
  backends: [],
  exchanges: [],
  soak: { requests: 10_000, grew: { fileDescriptors: 0, handles: 0, timers } },
});

test('timers left over in proportion to the requests fit timers never cleared; a few do not', () => {
  assert.deepEqual(suggested(soaked(9_800)), ['timers-never-cleared']);
  assert.deepEqual(suggested(soaked(3)), []);
});
