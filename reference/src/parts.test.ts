import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assembleParts, referenceParts } from './parts.ts';
import { buildRoundRobin } from './selection/round-robin.ts';

test('without overrides a balancer is assembled from the reference parts alone', () => {
  assert.deepEqual(assembleParts(), referenceParts);
});

test('one algorithm replaced leaves every other algorithm and part the reference one', () => {
  const parts = assembleParts({ selectors: { random: buildRoundRobin } });
  assert.equal(parts.selectors.random, buildRoundRobin);
  for (const [name, builder] of Object.entries(referenceParts.selectors))
    if (name !== 'random') assert.equal(parts.selectors[name as keyof typeof parts.selectors], builder);
  assert.equal(parts.rateLimiter, referenceParts.rateLimiter);
  assert.equal(parts.affinityToken, referenceParts.affinityToken);
});
