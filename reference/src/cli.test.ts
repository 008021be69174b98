/**
 * The reference balancer as users run it: a separate process started through its CLI, with real
 * backend processes behind it.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { processBackendProvider } from '../../harness/backends/process-provider.ts';
import type { StartedBackend } from '../../harness/backends/provider.ts';
import { PortAllocator } from '../../harness/processes/ports.ts';
import { ManagedProcess } from '../../harness/processes/processes.ts';
import { pollUntil } from '../../harness/timing/waiting.ts';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));
const tsx = import.meta.resolve('tsx');
const ports = new PortAllocator(11);
let directory = '';
let backends: StartedBackend[] = [];

before(async () => {
  directory = await mkdtemp(join(tmpdir(), 'lbspec-cli-'));
  backends = await processBackendProvider.start([
    { id: 'b1', protocol: 'http' },
    { id: 'b2', protocol: 'http' },
  ]);
});

after(async () => {
  await Promise.all(backends.map((backend) => backend[Symbol.asyncDispose]()));
  await rm(directory, { recursive: true, force: true });
});

async function writeConfig(name: string, config: unknown): Promise<string> {
  const path = join(directory, name);
  await writeFile(path, typeof config === 'string' ? config : JSON.stringify(config));
  return path;
}

function startCli(...args: string[]): ManagedProcess {
  return ManagedProcess.start({
    label: 'reference',
    command: process.execPath,
    args: ['--import', tsx, main, ...args],
  });
}

async function httpConfig(backendIds: string[]) {
  const byId = new Map(backends.map((backend) => [backend.id, backend.address]));
  return {
    version: 1,
    admin: { address: `127.0.0.1:${await ports.allocate()}` },
    listeners: [
      { name: 'web', protocol: 'http', address: `127.0.0.1:${await ports.allocate()}`, pool: 'app' },
    ],
    pools: { app: { backends: backendIds.map((id) => ({ id, address: byId.get(id) })) } },
  };
}

async function status(
  adminAddress: string,
): Promise<{ epoch: number; configHash: string; lastReloadError?: { message: string } }> {
  const response = await request(`http://${adminAddress}/status`);
  return (await response.body.json()) as { epoch: number; configHash: string };
}

async function awaitEpoch(adminAddress: string, epoch: number): Promise<void> {
  await pollUntil(async () => ((await status(adminAddress)).epoch === epoch ? true : undefined), {
    what: `epoch ${epoch}`,
    timeoutMs: 10_000,
  });
}

async function get(
  address: string,
  path = '/',
): Promise<{ status: number; backend: string | undefined; body: string }> {
  const response = await request(`http://${address}${path}`);
  return {
    status: response.statusCode,
    backend: response.headers['x-backend-id'] as string | undefined,
    body: await response.body.text(),
  };
}

test('--version prints the version', async () => {
  const cli = startCli('--version');
  assert.match(
    await cli.waitForLine((line) => line, 'print its version', 10_000),
    /^lbspec-reference \d+\.\d+\.\d+$/,
  );
  assert.equal((await cli.exited).code, 0);
});

test('an invalid config exits 2, lists every issue and starts nothing', async () => {
  const config = await httpConfig(['b1']);
  const broken = { ...config, listeners: [{ ...config.listeners[0], pool: 'missing' }], extra: true };
  const cli = startCli('--config', await writeConfig('invalid.json', broken));
  const exit = await cli.exited;
  assert.equal(exit.code, 2);
  assert.match(
    cli.output(),
    /invalid config .*invalid\.json \(2 errors\):\n.*\/extra: unknown property "extra".*\n.*\/listeners\/0\/pool: pool "missing" is not defined/,
  );
  await assert.rejects(request(`http://${config.listeners[0]?.address}/`), /ECONNREFUSED/);
});

test('bad usage and unreadable files exit 2 with the reason', async () => {
  const unknownFlag = startCli('--confgi', 'x.json');
  assert.equal((await unknownFlag.exited).code, 2);
  assert.match(unknownFlag.output(), /Unknown option '--confgi'[\s\S]*usage: lbspec-reference/);
  const missing = startCli('--config', join(directory, 'nope.json'));
  assert.equal((await missing.exited).code, 2);
  assert.match(missing.output(), /cannot read the file/);
  const noConfig = startCli();
  assert.equal((await noConfig.exited).code, 2);
  assert.match(noConfig.output(), /missing --config/);
});

test('--check validates without starting', async () => {
  const cli = startCli('--check', '--config', await writeConfig('check.json', await httpConfig(['b1'])));
  assert.equal((await cli.exited).code, 0);
  assert.match(cli.output(), /is valid/);
});

test('an address already in use exits 1 naming it', async () => {
  const config = await httpConfig(['b1']);
  const taken = { ...config, listeners: [{ ...config.listeners[0], address: backends[0]?.address }] };
  const cli = startCli('--config', await writeConfig('taken.json', taken));
  assert.equal((await cli.exited).code, 1);
  assert.match(
    cli.output(),
    new RegExp(`listener "web" cannot listen on ${backends[0]?.address}: .*EADDRINUSE`),
  );
});

test('SIGHUP reloads: new pool live at the next epoch; a bad file keeps the old config', async () => {
  const first = await httpConfig(['b1']);
  const path = await writeConfig('reload.json', first);
  const cli = startCli('--config', path);
  try {
    const admin = first.admin.address;
    const listener = first.listeners[0]?.address as string;
    await awaitEpoch(admin, 1);
    assert.equal((await get(listener)).backend, 'b1');

    await writeFile(path, JSON.stringify({ ...first, pools: (await httpConfig(['b2'])).pools }));
    cli.signal('SIGHUP');
    await awaitEpoch(admin, 2);
    assert.deepEqual([(await get(listener)).backend, (await get(listener)).backend], ['b2', 'b2']);

    await writeFile(path, '{"version": 1');
    cli.signal('SIGHUP');
    const failed = await pollUntil(async () => (await status(admin)).lastReloadError, {
      what: 'a reload error',
      timeoutMs: 10_000,
    });
    assert.match(failed.message, /not valid JSON/);
    assert.equal((await status(admin)).epoch, 2);
    assert.equal((await get(listener)).backend, 'b2');
    assert.match((await get(admin, '/nope')).body, /try GET \/healthz/);
    assert.equal((await get(admin, '/healthz')).status, 200);
    assert.match(
      (await get(admin, '/metrics')).body,
      /^lbspec_backend_in_flight\{pool="app",backend="b2"\} 0$/m,
    );
  } finally {
    await cli.stop();
  }
});

test('a dead backend gives a 502 that names it', async () => {
  const dead = `127.0.0.1:${await ports.allocate()}`;
  const config = await httpConfig(['b1']);
  const deadPool = { ...config, pools: { app: { backends: [{ id: 'gone', address: dead }] } } };
  const cli = startCli('--config', await writeConfig('dead.json', deadPool));
  try {
    await awaitEpoch(config.admin.address, 1);
    const answer = await get(config.listeners[0]?.address as string);
    assert.equal(answer.status, 502);
    assert.match(answer.body, new RegExp(`backend "gone" \\(${dead}\\) failed: .*ECONNREFUSED`));
  } finally {
    await cli.stop();
  }
});

test('SIGTERM lets an in-flight request finish, refuses new ones, and exits 0', async () => {
  const config = await httpConfig(['b1']);
  const cli = startCli('--config', await writeConfig('drain.json', config));
  const listener = config.listeners[0]?.address as string;
  try {
    await awaitEpoch(config.admin.address, 1);
    await backends[0]?.setBehaviour({ latencyMs: 500 });
    const inFlight = get(listener);
    await pollUntil(async () => ((await backends[0]?.stats())?.activeRequests === 1 ? true : undefined), {
      what: 'the request to arrive',
      timeoutMs: 10_000,
    });
    cli.signal('SIGTERM');
    const answer = await inFlight;
    assert.equal(answer.status, 200);
    assert.equal(answer.backend, 'b1');
    assert.equal((await cli.exited).code, 0);
    await assert.rejects(request(`http://${listener}/`), /ECONNREFUSED/);
  } finally {
    await backends[0]?.setBehaviour({ latencyMs: 0 });
    await cli.stop();
  }
});
