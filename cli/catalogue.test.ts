import assert from 'node:assert/strict';
import { join } from 'node:path';
import test from 'node:test';
import { listCapabilities, listScenarios, listTasks } from './catalogue.ts';
import { packageRoot } from './package-root.ts';

const scenarios = listScenarios(join(packageRoot, 'features'));

test('lbspec list scenarios: each with its id, its task and the capabilities it needs', () => {
  assert.ok(scenarios.length > 100);
  for (const scenario of scenarios) {
    assert.match(scenario.id, /^[a-z0-9-]+$/, scenario.title);
    assert.match(scenario.task, /^task-\d\d$/, scenario.title);
    assert.ok(scenario.capabilities.length > 0, scenario.title);
    assert.match(scenario.feature, /^[a-z0-9-]+\.feature$/);
  }
  const rr = scenarios.find((s) => s.id === 'rr-sequential-requests-spread-exactly-http');
  assert.deepEqual(rr?.capabilities, ['l7', 'round-robin']);
});

test('lbspec list tasks and capabilities: counts and needs agree with the scenarios', () => {
  const tasks = listTasks(scenarios);
  assert.equal(
    tasks.reduce((sum, task) => sum + task.scenarios, 0),
    scenarios.length,
  );
  const first = tasks.find((task) => task.task === 'task-01');
  assert.deepEqual(first?.capabilities, ['l7', 'l4', 'round-robin']);
  const l4 = listCapabilities(scenarios).find((c) => c.capability === 'l4');
  assert.equal(l4?.scenarios, scenarios.filter((s) => s.capabilities.includes('l4')).length);
  assert.match(l4?.meaning ?? '', /TCP/);
});
