import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

// A capture group that may match nothing hands its step an undefined argument, and cucumber.html
// then prints the failed step's text twice: each form of a step gets a definition of its own.
test('no step definition has an optional capture group', () => {
  const offenders: string[] = [];
  for (const file of readdirSync('steps').filter((name) => name.endsWith('.steps.ts'))) {
    const text = readFileSync(join('steps', file), 'utf8');
    for (const [pattern] of text.matchAll(/\/\^.*\$\//g)) {
      if (/\((?!\?)[^()]*\)[?*]/.test(pattern)) offenders.push(`${file}: ${pattern}`);
    }
  }
  assert.deepEqual(offenders, []);
});
