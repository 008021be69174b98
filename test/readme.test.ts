// The README is page one: what lbspec is, its commands, and links to docs/, which hold the rest.
// The docs are the user's contract: they must name every capability a balancer can declare, every
// task tag and every environment variable the harness reads, and every link must lead somewhere.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { allCapabilities } from '../harness/spec/capabilities.ts';
import { tasks } from '../harness/spec/tasks.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const pages = ['README.md', ...readdirSync(join(root, 'docs')).map((name) => `docs/${name}`)];

test('the README is one page: at most 10 KB, the rest in docs/', () => {
  const size = Buffer.byteLength(read('README.md'));
  assert.ok(size <= 10 * 1024, `README.md is ${size} bytes`);
  for (const page of pages.filter((path) => path.startsWith('docs/') && path !== 'docs/capabilities.md'))
    assert.ok(read('README.md').includes(`](${page})`), `README.md does not link ${page}`);
});

test('the docs document every capability and task tag', () => {
  // A table row's first cell, however the table is padded.
  const rowFor = (cell: string) => new RegExp(`^\\|\\s*\`${cell}\`\\s*\\|`, 'm');
  const capabilities = read('docs/capabilities.md');
  for (const capability of allCapabilities)
    assert.match(capabilities, rowFor(capability), `capability ${capability}`);
  for (const task of Object.keys(tasks))
    assert.match(capabilities, new RegExp(`^\\| \`@${task}\` `, 'm'), `task ${task}`);
});

test('the docs document every LBSPEC_ variable the code reads', () => {
  const sources = [
    'harness/adapters/command.ts',
    'harness/adapters/container.ts',
    'harness/backends/select.ts',
    'harness/adapters/select.ts',
    'harness/timing/timeouts.ts',
    'cucumber.mjs',
  ];
  const variables = new Set(sources.flatMap((file) => read(file).match(/LBSPEC_[A-Z_]+/g) ?? []));
  assert.ok(variables.size >= 8);
  const guide = read('docs/testing-your-balancer.md');
  for (const variable of variables)
    assert.ok(guide.includes(`\`${variable}\``), `${variable} is not in docs/testing-your-balancer.md`);
});

test('every relative link of the README and the docs leads to a file', () => {
  for (const page of pages) {
    for (const [, target] of read(page).matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
      if (/^[a-z]+:/.test(target as string)) continue;
      const path = join(root, dirname(page), target as string);
      assert.ok(existsSync(path), `${page} links ${target}, which does not exist`);
    }
  }
});
