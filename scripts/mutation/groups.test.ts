import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import { mutationGroups, mutationScore } from './groups.ts';

test('every pattern of a group names files that exist: a file, or a directory of modules', () => {
  const missing = mutationGroups
    .flatMap((group) => group.files)
    .filter((pattern) => {
      const directory = pattern.split('/**/')[0] as string;
      return pattern.includes('/**/')
        ? !existsSync(directory) || !readdirSync(directory).some((name) => name.endsWith('.ts'))
        : !existsSync(pattern);
    });
  assert.deepEqual(missing, []);
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
