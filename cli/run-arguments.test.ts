import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { runSettings } from './run.ts';
import { readRunArguments } from './run-arguments.ts';

const here = { cwd: '/home/me/lb', exists: (path: string) => path === '/home/me/lb/mine.feature' };

// cucumber-js options, passed on as they are.
const passedOn = ['--tags', '@l7 and not @websocket', '--name', 'rotation', '--shard', '2/3', '--dry-run'];

test("lbspec's options become settings, paths made absolute; every other word goes to cucumber-js", () => {
  const { env, cucumberArgs } = readRunArguments(
    [
      '--command',
      './lb --config {config}',
      '--capabilities-file=caps.json',
      '--reports',
      'out',
      ...passedOn,
      '--balancer-name',
      'mine',
      'features/round-robin.feature:12',
      'mine.feature',
      '--format',
      'html:other/page.html',
      '--format',
      'summary',
    ],
    here,
  );
  assert.deepEqual(env, {
    LBSPEC_COMMAND: './lb --config {config}',
    LBSPEC_CAPABILITIES_FILE: '/home/me/lb/caps.json',
    LBSPEC_REPORTS_DIR: '/home/me/lb/out',
    LBSPEC_NAME: 'mine',
  });
  assert.deepEqual(cucumberArgs, [
    ...passedOn,
    'features/round-robin.feature:12',
    '/home/me/lb/mine.feature',
    '--format',
    'html:/home/me/lb/other/page.html',
    '--format',
    'summary',
  ]);
});

test('an option without its value says which and what it takes', () => {
  assert.throws(
    () => readRunArguments(['--command'], here),
    /--command needs a value: your balancer's command line/,
  );
  assert.throws(() => readRunArguments(['--reports', '--tags', '@l7'], here), /--reports needs a value/);
  assert.throws(() => readRunArguments(['--tags'], here), /--tags needs a value \(a cucumber-js option\)/);
});

test('settings: the command line wins over LBSPEC_ variables, which win over lbspec.json', async () => {
  const directory = await mkdtemp(join(tmpdir(), 'lbspec-cli-'));
  try {
    await writeFile(
      join(directory, 'lbspec.json'),
      JSON.stringify({ command: 'file-lb {config}', reload: 'sighup', capabilities: { l7: true } }),
    );
    const fromFile = runSettings([], directory, {});
    assert.equal(fromFile.settings.LBSPEC_COMMAND, 'file-lb {config}');
    assert.equal(fromFile.settings.LBSPEC_RELOAD, 'sighup');
    assert.equal(fromFile.settings.LBSPEC_CAPABILITIES_FILE, join(directory, 'lbspec.json'));
    assert.equal(fromFile.settings.LBSPEC_REPORTS_DIR, join(directory, 'lbspec-reports'));
    assert.equal(fromFile.settings.LBSPEC_WORKDIR, directory);
    const fromEnv = runSettings([], directory, {
      LBSPEC_COMMAND: 'env-lb {config}',
      LBSPEC_CAPABILITIES: 'all',
    });
    assert.equal(fromEnv.settings.LBSPEC_COMMAND, 'env-lb {config}');
    assert.equal(
      fromEnv.settings.LBSPEC_CAPABILITIES_FILE,
      undefined,
      'LBSPEC_CAPABILITIES replaces the file',
    );
    const fromArgs = runSettings(['--command', 'arg-lb {config}'], directory, {
      LBSPEC_COMMAND: 'env-lb {config}',
    });
    assert.equal(fromArgs.settings.LBSPEC_COMMAND, 'arg-lb {config}');
    const image = runSettings(['--image', 'me/lb:1'], directory, {});
    assert.equal(image.settings.LBSPEC_ADAPTER, 'container');
    await writeFile(join(directory, 'lbspec.json'), JSON.stringify({ comand: 'typo' }));
    assert.throws(
      () => runSettings([], directory, {}),
      /lbspec\.json: unknown key "comand"; known: command, name/,
    );
    await writeFile(join(directory, 'lbspec.json'), '{ "command": ');
    assert.throws(() => runSettings([], directory, {}), /lbspec\.json: .*JSON/);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
});

test('a run that names no balancer says how to name one', () => {
  assert.throws(() => runSettings([], tmpdir(), {}), /no balancer named: pass --command .*lbspec init/);
  assert.equal(runSettings(['--adapter', 'reference'], tmpdir(), {}).settings.LBSPEC_ADAPTER, 'reference');
});
