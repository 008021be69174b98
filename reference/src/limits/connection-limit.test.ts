import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { test } from 'node:test';
import { BodyTooLargeError, bodyLimit, ConnectionsPerClient } from './connection-limit.ts';

/** What admit() uses of a socket: its peer address, destroy() and the close event. */
class FakeSocket extends EventEmitter {
  destroyed = false;
  constructor(readonly remoteAddress: string) {
    super();
  }
  destroy(): void {
    this.destroyed = true;
    this.emit('close');
  }
}

const connect = (limit: ConnectionsPerClient, address: string) => {
  const socket = new FakeSocket(address);
  return { socket, admitted: limit.admit(socket as unknown as Socket) };
};

test('each client holds at most its limit of connections, and gets one back for every one it closes', () => {
  const limit = new ConnectionsPerClient(3);
  const held = [1, 2, 3].map(() => connect(limit, '127.0.0.2'));
  assert.ok(held.every(({ admitted }) => admitted));
  const refused = connect(limit, '127.0.0.2');
  assert.deepEqual([refused.admitted, refused.socket.destroyed], [false, true]);
  assert.ok(connect(limit, '127.0.0.3').admitted, 'another client has a limit of its own');
  held[0]?.socket.emit('close');
  assert.ok(connect(limit, '127.0.0.2').admitted, 'one closed, one back');
  assert.equal(connect(limit, '127.0.0.2').admitted, false, 'and only one');
  for (const { socket } of held.slice(1)) socket.emit('close');
  assert.deepEqual(
    [1, 2, 3].map(() => connect(limit, '127.0.0.2').admitted),
    [true, true, false],
    'two more closed, two more back',
  );
});

test('a body of exactly the limit passes; one byte more fails', async () => {
  const through = async (sizes: number[]) => {
    const limit = bodyLimit(10);
    const passed: Buffer[] = [];
    limit.on('data', (chunk: Buffer) => passed.push(chunk));
    const ended = new Promise<Error | undefined>((resolve) => {
      limit.once('end', () => resolve(undefined));
      limit.once('error', resolve);
    });
    for (const size of sizes) limit.write(Buffer.alloc(size));
    limit.end();
    return { error: await ended, bytes: Buffer.concat(passed).length };
  };
  assert.deepEqual(await through([4, 6]), { error: undefined, bytes: 10 });
  const over = await through([4, 7]);
  assert.ok(over.error instanceof BodyTooLargeError);
  assert.equal(over.bytes, 4, 'nothing past the limit goes on');
});
