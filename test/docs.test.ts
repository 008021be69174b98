// Generated pages must match what generates them: a capability, config rule, scenario tag or schema
// field changed without `npm run generate` fails here.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { mistakes } from '../harness/mistakes/catalogue.ts';
import { mistakesDocs, mistakesDocsPath } from '../harness/mistakes/mistakes-docs.ts';
import { capabilityDocs, capabilityDocsPath } from '../harness/spec/capability-docs.ts';
import { configReference, configReferencePath } from '../harness/spec/config-reference.ts';
import { readScenarios } from '../harness/spec/scenario-catalogue.ts';
import schema from '../schema/config.v1.schema.json' with { type: 'json' };

test('docs/capabilities.md is up to date', () => {
  const expected = capabilityDocs(readScenarios('features'));
  const actual = readFileSync(capabilityDocsPath, 'utf8');
  assert.ok(actual === expected, `${capabilityDocsPath} is stale: run npm run generate`);
});

test('docs/config-fields.md is up to date with the schema', () => {
  const expected = configReference(schema as Record<string, unknown>);
  const actual = readFileSync(configReferencePath, 'utf8');
  assert.ok(actual === expected, `${configReferencePath} is stale: run npm run generate`);
});

test('docs/mistakes.md is the catalogue of mistakes as it is', () => {
  const actual = readFileSync(mistakesDocsPath, 'utf8');
  assert.ok(actual === mistakesDocs(mistakes), `${mistakesDocsPath} is stale: run npm run generate`);
});
