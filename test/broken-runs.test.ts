import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { mistakes } from '../harness/mistakes/catalogue.ts';
import { parseExpectation, readExpectations } from './broken-expectations.ts';
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

test('a broken balancer names what it must fail in its opening comment, one scenario id a line', () => {
  const source = [
    '// Broken on purpose: always the first backend.',
    '// must fail: rr-one',
    '// must fail: rr-two',
    '// must also pass: @task-06',
    "import { main } from '../../reference/src/cli.ts';",
    '// must fail: not-in-the-opening-comment',
  ].join('\n');
  assert.deepEqual(parseExpectation('first', source), { mustFail: ['rr-one', 'rr-two'], passes: '@task-06' });
  assert.equal(
    parseExpectation('shared', '// A module.\n// not run by the suite: shared code\nexport {};'),
    undefined,
  );
});

test('a broken balancer that names nothing, or a scenario twice, is refused with the fix', () => {
  assert.throws(
    () => parseExpectation('new-one', '// Broken on purpose: forgets.\nexport {};'),
    /fixtures\/broken\/new-one\.ts names no scenario it must fail: add "\/\/ must fail: <scenario id>" lines/,
  );
  assert.throws(() => parseExpectation('twice', '// must fail: a\n// must fail: a'), /names "a" twice/);
  assert.throws(
    () => parseExpectation('both', '// not run by the suite: why\n// must fail: a'),
    /says it is not run by the suite, yet names scenarios/,
  );
});

test('every broken balancer in fixtures/broken states its expectations (or why it is not run)', () => {
  // Throws naming the first file that states neither.
  assert.ok(Object.keys(readExpectations()).length > 100);
});

test('a broken balancer may name the catalogued mistake it embodies, once, and the catalogue must explain one of its failures', () => {
  assert.deepEqual(
    parseExpectation('reversed', '// must fail: rr-one\n// mistake: rotation-not-in-config-order'),
    {
      mustFail: ['rr-one'],
      mistake: 'rotation-not-in-config-order',
    },
  );
  assert.throws(
    () => parseExpectation('two', '// must fail: a\n// mistake: x\n// mistake: y'),
    /more than one mistake/,
  );
  for (const [name, { mustFail, mistake }] of Object.entries(readExpectations())) {
    if (mistake === undefined) continue;
    const entry = mistakes.find(({ id }) => id === mistake);
    assert.ok(
      entry,
      `fixtures/broken/${name}.ts names mistake "${mistake}", which docs/mistakes.md does not have`,
    );
    assert.ok(
      mustFail.some((id) => entry.scenarios.includes(id)),
      `fixtures/broken/${name}.ts names mistake "${mistake}", which explains none of the scenarios it must fail`,
    );
  }
});

test('a broken balancer the suite does not run may name its mistake too, and the catalogue must have it', () => {
  const directory = new URL('../fixtures/broken/', import.meta.url);
  for (const file of readdirSync(directory).filter((name) => name.endsWith('.ts'))) {
    const source = readFileSync(new URL(file, directory), 'utf8');
    if (!/^\/\/ not run by the suite:/m.test(source)) continue;
    for (const [, id] of source.matchAll(/^\/\/ mistake: (\S+)/gm))
      assert.ok(
        mistakes.some((mistake) => mistake.id === id),
        `fixtures/broken/${file} names mistake "${id}", which docs/mistakes.md does not have`,
      );
  }
});
