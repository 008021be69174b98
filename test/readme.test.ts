// The README is the user's contract: it must name every capability a balancer can declare, every
// task tag, and every environment variable the harness reads.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { allCapabilities } from '../steps/support/capabilities.ts';
import { tasks } from '../steps/support/tasks.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

test('the README documents every capability and task tag', () => {
  // A table row's first cell, however the table is padded.
  const rowFor = (cell: string) => new RegExp(`^\\|\\s*\`${cell}\`\\s*\\|`, 'm');
  for (const capability of allCapabilities)
    assert.match(readme, rowFor(capability), `capability ${capability}`);
  for (const task of Object.keys(tasks)) assert.match(readme, rowFor(`@${task}`), `task ${task}`);
});

test('the README documents every LBSPEC_ variable the code reads', () => {
  const sources = [
    'steps/support/adapters/command.ts',
    'steps/support/adapters/container.ts',
    'steps/support/backends/select.ts',
    'steps/support/adapters/select.ts',
    'steps/support/timeouts.ts',
    'cucumber.mjs',
  ];
  const variables = new Set(
    sources.flatMap(
      (file) => readFileSync(new URL(`../${file}`, import.meta.url), 'utf8').match(/LBSPEC_[A-Z_]+/g) ?? [],
    ),
  );
  assert.ok(variables.size >= 8);
  for (const variable of variables)
    assert.ok(readme.includes(`\`${variable}\``), `${variable} is not in the README`);
});
