import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { type TestContext, test } from 'node:test';
import type { HealthCheckConfig } from '../config/types.ts';
import { ActiveChecker } from './active-checker.ts';
import { probe } from './probe.ts';

const check = (overrides: Partial<HealthCheckConfig>): HealthCheckConfig => ({
  type: 'http',
  path: '/health',
  expectedStatuses: [200],
  intervalMs: 1_000,
  timeoutMs: 1_000,
  healthyThreshold: 1,
  unhealthyThreshold: 1,
  initialState: 'healthy',
  ...overrides,
});

/**
 * A loopback server that hands each connection to `onConnection`, as a probe target. Every socket
 * and the server are released when the test ends, passed or failed, so a failure cannot hang the run.
 */
async function backend(
  t: TestContext,
  onConnection: (socket: Socket) => void,
): Promise<{ host: string; port: number }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    onConnection(socket);
  });
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { host: '127.0.0.1', port: (server.address() as AddressInfo).port };
}

/** A port nothing listens on: one a server held a moment ago. */
async function closedPort(): Promise<{ host: string; port: number }> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return { host: '127.0.0.1', port };
}

// Each test's own timeout stands for "at once": a probe that waits for its 10 s deadline fails it.
const quick = { timeout: 5_000 };

test('a TCP probe passes on connect and closes its connection', quick, async (t) => {
  let accepted: (socket: Socket) => void = () => {};
  const probed = new Promise<Socket>((resolve) => {
    accepted = resolve;
  });
  const target = await backend(t, (socket) => accepted(socket));
  const result = await probe(target, check({ type: 'tcp', timeoutMs: 10_000 }));
  assert.equal(result.passed, true);
  const socket = await probed;
  if (!socket.closed) await once(socket, 'close');
});

test('a refused probe fails at once, saying why, over TCP and HTTP', quick, async () => {
  const target = await closedPort();
  for (const type of ['tcp', 'http'] as const) {
    const result = await probe(target, check({ type, timeoutMs: 10_000 }));
    assert.equal(result.passed, false);
    assert.match(result.detail, /ECONNREFUSED/, type);
  }
});

test('an HTTP probe with no answer in time fails and closes its connection', quick, async (t) => {
  let accepted: Socket | undefined;
  const target = await backend(t, (socket) => {
    accepted = socket;
    socket.resume();
  });
  const result = await probe(target, check({ timeoutMs: 100 }));
  assert.equal(result.passed, false);
  assert.ok(accepted, 'the probe reached the backend');
  if (!accepted.closed) await once(accepted, 'close');
});

test(
  'a stopped checker reports nothing more and probes no more, even a probe under way',
  quick,
  async (t) => {
    let probes = 0;
    let answer: (() => void) | undefined;
    const target = await backend(t, (socket) => {
      probes++;
      socket.once('data', () => {
        answer = () => socket.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      });
    });
    const results: boolean[] = [];
    const checker = new ActiveChecker([target], check({ intervalMs: 20 }), (_, result) =>
      results.push(result.passed),
    );
    while (!answer) await new Promise((resolve) => setImmediate(resolve));
    checker.stop();
    answer();
    // Three intervals would bring three probes to a checker that runs on.
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.deepEqual(results, []);
    assert.equal(probes, 1);
  },
);

test('a checker stopped between probes sends no more', quick, async (t) => {
  let probes = 0;
  const target = await backend(t, (socket) => {
    probes++;
    socket.once('data', () =>
      socket.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n'),
    );
  });
  const results: boolean[] = [];
  const checker = new ActiveChecker([target], check({ intervalMs: 20 }), (_, result) =>
    results.push(result.passed),
  );
  while (results.length === 0) await new Promise((resolve) => setImmediate(resolve));
  checker.stop();
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.deepEqual(results, [true]);
  assert.equal(probes, 1);
});
