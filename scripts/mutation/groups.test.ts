import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mutationGroups, mutationScore } from './groups.ts';

test('the groups cover exactly the modules a whole-tree run mutates', async () => {
  const { default: config } = (await import(new URL('./stryker.config.mjs', import.meta.url).href)) as {
    default: { mutate: string[] };
  };
  const whole = config.mutate.filter((pattern) => !pattern.startsWith('!'));
  assert.deepEqual(mutationGroups.flatMap((group) => group.files).sort(), [...whole].sort());
});

test("no group's pattern holds a comma, at which Stryker's --mutate would split it", () => {
  const split = mutationGroups.flatMap((group) => group.files).filter((pattern) => pattern.includes(','));
  assert.deepEqual(split, []);
});

test('the score counts killed and timed-out mutants over every one that could be detected', () => {
  const statuses = ['Killed', 'Killed', 'Timeout', 'Survived', 'NoCoverage', 'Ignored', 'CompileError'];
  assert.deepEqual(mutationScore(statuses), { detected: 3, valid: 5, score: 60 });
  assert.equal(mutationScore([]).score, 100);
});
