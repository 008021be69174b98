import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BalancerStartError } from './adapter.ts';
import { commandAdapter, programName, readStopSignal, splitCommandLine } from './command.ts';
import { selectAdapter } from './select.ts';

test('command lines split like a shell for words, quotes and escapes', () => {
  assert.deepEqual(splitCommandLine(`node "my lb.js" --config {config}`), [
    'node',
    'my lb.js',
    '--config',
    '{config}',
  ]);
  assert.deepEqual(splitCommandLine(`a 'b "c"' d\\ e "f\\"g" ''`), ['a', 'b "c"', 'd e', 'f"g', '']);
  assert.throws(() => splitCommandLine('a "b'), /unterminated " quote/);
});

test('the command adapter explains every missing or wrong setting', () => {
  assert.throws(() => commandAdapter({}), /needs LBSPEC_COMMAND/);
  assert.throws(() => commandAdapter({ LBSPEC_COMMAND: './lb' }), /no \{config\} placeholder/);
  assert.throws(() => commandAdapter({ LBSPEC_COMMAND: './lb {config}' }), /LBSPEC_CAPABILITIES/);
  assert.throws(
    () =>
      commandAdapter({ LBSPEC_COMMAND: './lb {config}', LBSPEC_CAPABILITIES: 'all', LBSPEC_RELOAD: 'hup' }),
    /LBSPEC_RELOAD="hup" is not one of: restart, sighup/,
  );
  assert.throws(
    () =>
      commandAdapter({
        LBSPEC_COMMAND: './lb {config}',
        LBSPEC_CAPABILITIES: 'all',
        LBSPEC_STOP_SIGNAL: 'HUP',
      }),
    /LBSPEC_STOP_SIGNAL="HUP" is not one of: SIGTERM, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2/,
  );
});

test('the signal that stops a balancer gracefully is SIGTERM unless LBSPEC_STOP_SIGNAL names another', () => {
  assert.equal(readStopSignal({}), 'SIGTERM');
  assert.equal(readStopSignal({ LBSPEC_STOP_SIGNAL: 'SIGQUIT' }), 'SIGQUIT');
  assert.equal(readStopSignal({ LBSPEC_STOP_SIGNAL: 'usr1' }), 'SIGUSR1');
  const adapter = commandAdapter({
    LBSPEC_COMMAND: './lb {config}',
    LBSPEC_CAPABILITIES: 'all',
    LBSPEC_STOP_SIGNAL: 'INT',
  });
  assert.equal(adapter.options.stopSignal, 'SIGINT');
});

test('the command adapter substitutes the config path and names the program', async () => {
  const adapter = commandAdapter({
    LBSPEC_COMMAND: '/opt/bin/my-lb -c {config} --x={config}',
    LBSPEC_CAPABILITIES: 'l7',
  });
  const description = await adapter.describe();
  assert.equal(description.name, 'my-lb');
  assert.equal(description.version, 'unknown');
  assert.deepEqual(description.capabilities.supported, ['l7']);
  assert.deepEqual(adapter.options.commandLine('/tmp/c.json', '/tmp'), {
    command: '/opt/bin/my-lb',
    args: ['-c', '/tmp/c.json', '--x=/tmp/c.json'],
  });
});

test('capabilities can come from a file with reasons', async (t) => {
  const directory = await mkdtemp(join(tmpdir(), 'lbspec-caps-'));
  t.after(() => rm(directory, { recursive: true, force: true }));
  const file = join(directory, 'caps.json');
  await writeFile(
    file,
    JSON.stringify({ supported: ['l7', 'round-robin'], unsupported: { l4: 'HTTP only' } }),
  );
  const adapter = commandAdapter({
    LBSPEC_COMMAND: 'lb {config}',
    LBSPEC_CAPABILITIES_FILE: file,
    LBSPEC_NAME: 'mine',
    LBSPEC_VERSION: '2.0',
  });
  const description = await adapter.describe();
  assert.equal(description.capabilities.reasons.l4, 'HTTP only');
  assert.match(description.capabilities.reasons.random ?? '', /^not declared in .*caps\.json$/);
  assert.equal(`${description.name} ${description.version}`, 'mine 2.0');
  await writeFile(file, JSON.stringify({ supported: 'l7' }));
  assert.throws(
    () => commandAdapter({ LBSPEC_COMMAND: 'lb {config}', LBSPEC_CAPABILITIES_FILE: file }),
    /expected \{"capabilities"/,
  );
  await writeFile(file, JSON.stringify({ supported: [], unsupported: { l9: 'x' } }));
  assert.throws(
    () => commandAdapter({ LBSPEC_COMMAND: 'lb {config}', LBSPEC_CAPABILITIES_FILE: file }),
    /unknown capability "l9"/,
  );
  assert.throws(
    () =>
      commandAdapter({
        LBSPEC_COMMAND: 'lb {config}',
        LBSPEC_CAPABILITIES_FILE: join(directory, 'none.json'),
      }),
    /ENOENT/,
  );
});

test('adapter selection: environment, then profile, then LBSPEC_COMMAND, then the reference', () => {
  assert.equal(selectAdapter(undefined, {}).name, 'reference');
  const command = { LBSPEC_COMMAND: 'lb {config}', LBSPEC_CAPABILITIES: 'all' };
  assert.equal(selectAdapter(undefined, command).name, 'lb');
  assert.equal(selectAdapter('reference', { ...command, LBSPEC_ADAPTER: 'command' }).name, 'lb');
  assert.equal(selectAdapter('reference', command).name, 'reference');
  assert.throws(
    () => selectAdapter('envoy', {}),
    /unknown adapter "envoy".*known: reference, command, nginx, haproxy, caddy, container/,
  );
});

test('a balancer that does not come up leaves its command, its config and its output for the evidence', async () => {
  const adapter = commandAdapter({
    LBSPEC_COMMAND: `${process.execPath} -e "console.log('cannot bind'); process.exit(3)" {config}`,
    LBSPEC_CAPABILITIES: 'l7',
    LBSPEC_NAME: 'doomed',
  });
  const config = {
    version: 1,
    listeners: [{ name: 'main', protocol: 'http', address: '127.0.0.1:1', pool: 'main' }],
    pools: { main: { backends: [{ id: 'b1', address: '127.0.0.1:2' }] } },
  } as const;
  const failure = await adapter.start(config).then(
    () => assert.fail('it started'),
    (error: unknown) => error,
  );
  assert.ok(failure instanceof BalancerStartError, String(failure));
  assert.match(failure.evidence, /command: .*process\.exit\(3\)/);
  assert.match(failure.evidence, /"address": "127\.0\.0\.1:1"/);
  assert.match(failure.evidence, /cannot bind/);
  assert.match(failure.evidence, /exit(ed)? .*3/);
});

test('a report names the script an interpreter runs, not the interpreter', () => {
  assert.equal(programName(['./my-lb', '--config', '{config}']), 'my-lb');
  assert.equal(programName(['node', '--max-old-space-size=64', 'lb/main.mjs', '{config}']), 'main.mjs');
  assert.equal(programName(['python3', '-m', 'balancer', '{config}']), 'balancer');
  assert.equal(programName(['java', '-jar', 'target/lb.jar', '{config}']), 'lb.jar');
  assert.equal(programName(['/usr/bin/node']), 'node');
});
