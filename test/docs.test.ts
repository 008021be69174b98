// Generated pages must match what generates them: a capability, config rule or scenario tag
// changed without `npm run generate` fails here.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { capabilityDocs, capabilityDocsPath } from '../harness/spec/capability-docs.ts';
import { readScenarios } from '../harness/spec/scenario-catalogue.ts';

test('docs/capabilities.md is up to date', () => {
  const expected = capabilityDocs(readScenarios('features'));
  const actual = readFileSync(capabilityDocsPath, 'utf8');
  assert.ok(actual === expected, `${capabilityDocsPath} is stale: run npm run generate`);
});
