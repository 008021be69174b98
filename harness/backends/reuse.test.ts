/** Backends handed from one scenario to the next: real processes, through the process provider. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { after, test } from 'node:test';
import { request } from 'undici';
import { splitHostPort } from '../clients/net.ts';
import { tcpConversation } from '../clients/traffic.ts';
import { pollUntil } from '../timing/waiting.ts';
import { processBackendProvider as provider } from './process-provider.ts';
import type { StartedBackend } from './provider.ts';

after(async () => {
  await provider[Symbol.asyncDispose]();
});

async function startOne(id: string, protocol: 'http' | 'tcp' = 'http'): Promise<StartedBackend> {
  const [backend] = await provider.start([{ id, protocol }]);
  assert.ok(backend);
  return backend;
}

/** Sends a request head on a connection of its own and leaves it waiting for the answer. */
async function hangingRequest(address: string): Promise<Socket> {
  const socket = connect(splitHostPort(address));
  await once(socket, 'connect');
  socket.write('GET /held HTTP/1.1\r\nHost: h\r\n\r\n');
  return socket;
}

test('a backend given back unharmed comes back as new: renamed, its connections cut, its counts zero', async () => {
  const first = await startOne('a1');
  await first.setBehaviour({ hang: true });
  const held = await hangingRequest(first.address);
  const closed = once(held, 'close');
  await pollStats(first, (stats) => stats.activeRequests === 1);
  await provider.release([first], true);

  const second = await startOne('z9');
  assert.equal(second.address, first.address, 'the same process is reused');
  await closed; // the request of the earlier scenario is cut, not answered later
  const answer = await request(`http://${second.address}/`, { headersTimeout: 2_000 });
  assert.equal(answer.headers['x-backend-id'], 'z9', 'renamed, and hanging no more');
  assert.equal(JSON.parse(await answer.body.text()).id, 'z9');
  const stats = await second.stats();
  assert.deepEqual(
    [stats.requests, stats.activeRequests, stats.activeConnections <= 1, (await second.arrivals()).length],
    [1, 0, true, 1],
  );
  // Its evidence speaks of this scenario only: the earlier one's output named it a1.
  assert.match(await first.evidence().catch(() => ''), /a1|given back/);
  const evidence = await second.evidence();
  assert.match(evidence, /^backend "z9" .*"id":"z9".*a reused process/);
  assert.doesNotMatch(evidence, /a1/);
  await assert.rejects(first.stop(), /backend "a1" was given back after its scenario and cannot stop now/);
  await assert.rejects(first.stats(), /was given back/);
  assert.equal(second.running, true);
  await provider.release([second], false);
  assert.equal(second.running, false);
});

test('a backend that was stopped, paused or restarted, or given back without reuse, is not reused', async () => {
  const stopped = await startOne('s1', 'tcp');
  const paused = await startOne('p1', 'tcp');
  const restarted = await startOne('r1', 'tcp');
  const healthy = await startOne('f1', 'tcp');
  // A process is known by its pid: the kernel may give a new process a port an earlier one freed.
  const earlier = await Promise.all([stopped, paused, restarted, healthy].map(pidOf));
  await stopped.stop();
  await paused.pause();
  await paused.resume();
  await restarted.restart();
  earlier.push(await pidOf(restarted));
  await provider.release([stopped, paused, restarted], true);
  await provider.release([healthy], false);
  const fresh = await startOne('n1', 'tcp');
  const freshPid = await pidOf(fresh);
  assert.ok(!earlier.includes(freshPid), `a new process, not one of ${earlier.join(', ')}: got ${freshPid}`);
  assert.equal((await tcpConversation(fresh.address, Buffer.from('x'))).welcome, 'n1');
  assert.equal(paused.running, false, 'released without reuse, it was stopped');
  assert.equal(restarted.running, false, 'released without reuse, it was stopped');
  await provider.release([fresh], false);
});

test('a kept backend that died meanwhile is replaced by a new one', async () => {
  const doomed = await startOne('d1');
  const address = doomed.address;
  const pid = await pidOf(doomed);
  await provider.release([doomed], true);
  process.kill(pid, 'SIGKILL');
  await pollUntilRefused(address);
  const replacement = await startOne('d2');
  assert.notEqual(await pidOf(replacement), pid);
  assert.equal(replacement.unexpectedExit, undefined);
  await provider.release([replacement], false);
});

async function pidOf(backend: StartedBackend): Promise<number> {
  const pid = (await backend.evidence()).match(/ pid=(\d+) /)?.[1];
  assert.ok(pid, `the evidence of backend "${backend.id}" names its pid`);
  return Number(pid);
}

async function pollStats(
  backend: StartedBackend,
  done: (stats: Awaited<ReturnType<StartedBackend['stats']>>) => boolean,
): Promise<void> {
  await pollUntil(async () => done(await backend.stats()) || undefined, {
    what: `backend "${backend.id}" to count the held request`,
    timeoutMs: 5_000,
  });
}

async function pollUntilRefused(address: string): Promise<void> {
  await pollUntil(
    () =>
      new Promise<true | undefined>((resolve) => {
        const socket = connect(splitHostPort(address));
        socket.once('connect', () => {
          socket.destroy();
          resolve(undefined);
        });
        socket.once('error', () => resolve(true));
      }),
    { what: `${address} to refuse connections`, timeoutMs: 5_000 },
  );
}
