import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readScenarios } from './scenario-catalogue.ts';
import { isScenarioIdTag, scenarioId } from './scenario-id.ts';

test('an id tag is lower-case words joined by "-"', () => {
  assert.equal(scenarioId(['@l7', '@id:rr-sequential-http', '@task-01']), 'rr-sequential-http');
  assert.equal(scenarioId(['@l7']), undefined);
  for (const tag of ['@id:RR', '@id:rr--x', '@id:-rr', '@id:', 'id:rr_x'])
    assert.ok(!isScenarioIdTag(tag), tag);
});

test('every scenario, each example of an outline too, has exactly one id, and no two share one', () => {
  const seen = new Map<string, string>();
  for (const scenario of readScenarios('features')) {
    const ids = scenario.tags.filter((tag) => isScenarioIdTag(tag));
    assert.equal(ids.length, 1, `${scenario.uri}: "${scenario.name}" has ${ids.length} @id: tags`);
    const id = scenarioId(ids) as string;
    assert.equal(seen.get(id), undefined, `${id} names both "${seen.get(id)}" and "${scenario.name}"`);
    seen.set(id, scenario.name);
  }
  assert.ok(seen.size > 100);
});
