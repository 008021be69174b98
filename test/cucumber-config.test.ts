import assert from 'node:assert/strict';
import { test } from 'node:test';

// Cucumber adds the feature paths of a command line to a profile's own, so a profile that names
// paths runs every feature even when the command line asks for one scenario (features/x.feature:12).
test('no profile names feature paths, so those on the command line narrow the run', async () => {
  const profiles: Record<string, { paths?: unknown }> = await import(
    new URL('../cucumber.mjs', import.meta.url).href
  );
  for (const [name, profile] of Object.entries(profiles)) {
    assert.equal(profile.paths, undefined, `profile "${name}" names paths`);
  }
});
