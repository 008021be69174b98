import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { StartedBackend } from '../harness/backends/provider.ts';
import { splitHostPort } from '../harness/clients/net.ts';
import { pollUntil } from '../harness/timing/waiting.ts';

/**
 * Pauses a TCP backend, connects (the kernel accepts), checks that nothing answers for 300 ms,
 * resumes it and checks that the greeting then arrives. Data is collected from the first moment,
 * so an answer that comes quickly after the resume is not missed.
 */
export async function expectSilentWhilePaused(backend: StartedBackend): Promise<void> {
  await backend.pause();
  assert.equal(backend.running, false);
  const socket = connect(splitHostPort(backend.address));
  try {
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    await once(socket, 'connect');
    await delay(300);
    assert.equal(Buffer.concat(received).length, 0, 'a paused backend must not answer');
    await backend.resume();
    const greeting = await pollUntil(
      () => (received.length > 0 ? Buffer.concat(received).toString() : undefined),
      {
        what: `backend "${backend.id}" to greet after resuming`,
        timeoutMs: 5_000,
      },
    );
    assert.equal(greeting, `HELLO ${backend.id}\n`);
  } finally {
    socket.destroy();
  }
}
