/**
 * Fuzzing the reference's HTTP request path, as a client would reach it: malformed and hostile
 * requests on raw sockets to a running balancer with routes, limits and a rate limit, in front of
 * a real backend. Each must get an HTTP answer or a close within a few seconds (no hang), and the
 * balancer must still serve a plain request afterwards (no crash).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { request } from 'undici';
import { processBackendProvider } from '../../harness/backends/process-provider.ts';
import type { StartedBackend } from '../../harness/backends/provider.ts';
import { splitHostPort } from '../../harness/clients/net.ts';
import { PortAllocator } from '../../harness/processes/ports.ts';
import { ManagedProcess } from '../../harness/processes/processes.ts';
import { pollUntil } from '../../harness/timing/waiting.ts';
import { untilBudget } from './testing/fuzz-budget.ts';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));
const tsx = import.meta.resolve('tsx');
const ports = new PortAllocator(13);
const answerWithinMs = 5_000;
let directory = '';
let backend: StartedBackend | undefined;
let balancer: ManagedProcess | undefined;
let listener = '';
// The same routes without client limits: its plain requests take the fast path.
let fastListener = '';

before(async () => {
  directory = await mkdtemp(join(tmpdir(), 'lbspec-fuzz-'));
  [backend] = await processBackendProvider.start([{ id: 'b1', protocol: 'http' }]);
  listener = `127.0.0.1:${await ports.allocate()}`;
  fastListener = `127.0.0.1:${await ports.allocate()}`;
  const pool = { backends: [{ id: 'b1', address: backend?.address }] };
  const routes = [
    { name: 'api', pool: 'app', match: { path: { prefix: '/api' } }, rewrite: { prefix: '/' } },
    {
      name: 'host',
      pool: 'app',
      match: { host: '*.example', headers: [{ name: 'X-A', regex: 'a+' }] },
    },
  ];
  const rateLimit = { capacity: 1_000_000, refillPerSecond: 1_000_000 };
  const config = {
    version: 1,
    listeners: [
      {
        name: 'web',
        protocol: 'http',
        address: listener,
        pool: 'app',
        routes,
        limits: { maxHeaderBytes: 8192, maxBodyBytes: 65536, headerTimeoutMs: 1000, requestTimeoutMs: 2000 },
        rateLimit,
      },
      { name: 'fast', protocol: 'http', address: fastListener, pool: 'app', routes, rateLimit },
    ],
    pools: { app: pool },
  };
  const path = join(directory, 'fuzz.json');
  await writeFile(path, JSON.stringify(config));
  balancer = ManagedProcess.start({
    label: 'reference',
    command: process.execPath,
    args: ['--import', tsx, main, '--config', path],
  });
  await pollUntil(async () => ((await plainRequest(listener)) === '200' ? true : undefined), {
    what: 'the reference to serve',
    timeoutMs: 20_000,
  });
});

after(async () => {
  await balancer?.stop();
  await backend?.[Symbol.asyncDispose]();
  await rm(directory, { recursive: true, force: true });
});

/** A plain request's status, and its body when it is not 200. */
async function plainRequest(address: string): Promise<string> {
  const answer = await request(`http://${address}/api/ok`, { headers: { host: 'app.example' } });
  if (answer.statusCode === 200) {
    await answer.body.dump();
    return '200';
  }
  return `${answer.statusCode} ${await answer.body.text()}`;
}

/** Sends `bytes`, ends the client's side, and reads what comes back until the close. */
function exchange(address: string, bytes: string): Promise<{ received: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(splitHostPort(address));
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ received, closed: false });
    }, answerWithinMs);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
    });
    socket.on('error', () => {});
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ received, closed: true });
    });
    socket.end(bytes, 'latin1');
  });
}

const text = (maxLength: number) =>
  fc.oneof(
    fc.string({ maxLength }),
    fc.string({ unit: 'binary', maxLength }),
    fc.constantFrom('', ' ', '\r', '\n', '\0', '%', '..', '//'),
  );
const method = fc.oneof(
  fc.constantFrom('GET', 'POST', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'CONNECT', 'PRI', 'GE T', ''),
  text(8),
);
const target = fc.oneof(
  fc.constantFrom(
    '/',
    '/api/x',
    '/api/../admin',
    '/api/%2e%2e/x',
    '//api',
    '*',
    'http://a.example/api',
    '/api?q=%zz',
  ),
  text(30).map((t) => `/${t}`),
  text(30),
);
const version = fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1 ', 'http/1.1', '');
const header = fc.tuple(
  fc.oneof(
    fc.constantFrom(
      'Host',
      'Content-Length',
      'Transfer-Encoding',
      'Connection',
      'Expect',
      'Upgrade',
      'X-Forwarded-For',
      'X-A',
      'Cookie',
      'Transfer-Encoding ',
    ),
    text(12),
  ),
  fc.oneof(
    fc.constantFrom(
      'app.example',
      'a.example',
      'chunked',
      '5',
      '-1',
      '99999999999',
      'close',
      'keep-alive, X-A',
      '100-continue',
      'websocket',
      'aaa',
    ),
    text(40),
  ),
);
const rawRequest = fc
  .tuple(method, target, version, fc.array(header, { maxLength: 8 }), text(64))
  .map(
    ([m, t, v, headers, body]) =>
      `${m} ${t} ${v}\r\n${headers.map(([n, value]) => `${n}: ${value}\r\n`).join('')}\r\n${body}`,
  );

for (const [which, address] of [
  ['with client limits', () => listener],
  ['on the fast path', () => fastListener],
] as const)
  test(`any request gets an HTTP answer or a close in time, and the balancer serves on (${which})`, async () => {
    await fc.assert(
      fc.asyncProperty(rawRequest, async (bytes) => {
        const { received, closed } = await exchange(address(), bytes);
        assert.ok(closed, `no answer and no close within ${answerWithinMs} ms for ${JSON.stringify(bytes)}`);
        if (received !== '')
          assert.match(
            received,
            /^HTTP\/1\.[01] [1-5]\d\d /,
            `not an HTTP answer to ${JSON.stringify(bytes)}`,
          );
        assert.equal(balancer?.exitStatus, undefined, `the balancer exited after ${JSON.stringify(bytes)}`);
      }),
      untilBudget(),
    );
    const status = await plainRequest(address());
    assert.equal(
      status,
      '200',
      `a plain request is still served; the backend:\n${await backend?.evidence()}`,
    );
  });
