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

test("junit.xml's suite is named after the balancer: LBSPEC_NAME, else the adapter", async () => {
  type Profile = { formatOptions: { junit: { suiteName: string } } };
  const load = async (env: Record<string, string>): Promise<Record<string, Profile>> => {
    const saved = { LBSPEC_NAME: process.env.LBSPEC_NAME, LBSPEC_ADAPTER: process.env.LBSPEC_ADAPTER };
    delete process.env.LBSPEC_NAME;
    delete process.env.LBSPEC_ADAPTER;
    Object.assign(process.env, env);
    try {
      // A query of its own re-evaluates the module, which reads the environment as it loads.
      return await import(new URL(`../cucumber.mjs?${JSON.stringify(env)}`, import.meta.url).href);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  };
  const plain = await load({});
  assert.equal(plain.default?.formatOptions.junit.suiteName, 'reference');
  assert.equal(plain.command?.formatOptions.junit.suiteName, 'command');
  assert.equal((await load({ LBSPEC_ADAPTER: 'nginx' })).default?.formatOptions.junit.suiteName, 'nginx');
  assert.equal(
    (await load({ LBSPEC_NAME: 'student-7' })).command?.formatOptions.junit.suiteName,
    'student-7',
  );
});
