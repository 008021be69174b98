// HTTP/2 header blocks written by hand to be too large once decoded (HPACK bombs, the listener's
// maxHeaderBytes) or never to end (CONTINUATION floods), and what the balancer made of them.
import { Given, Then, When } from '@cucumber/cucumber';
import { ExpectationError } from '../harness/checks/expectations.ts';
import {
  answerStatus,
  continuation,
  frameType,
  getFields,
  headerBlock,
  headerFrames,
  type RawHttp2Connection,
  repeatedField,
  streamOutcomes,
  unfinishedGet,
} from '../harness/clients/h2-frames.ts';
import { type MemoryGrowth, measureGrowth } from '../harness/processes/memory.ts';
import { timeouts } from '../harness/timing/timeouts.ts';
import { expectCountsUnchanged } from './support/backend-counts.ts';
import { openRawHttp2To } from './support/http2-clients.ts';
import { expectGrowthBelow } from './support/memory-bound.ts';
import { serverName, startTlsBalancer } from './support/tls-listener.ts';
import { topicState } from './support/topic-state.ts';
import type { LbWorld } from './support/world.ts';

Given(
  'a balancer with an HTTPS listener speaking HTTP\\/2 using {algorithm} over all backends, with these client limits:',
  async function (this: LbWorld, algorithm: string, text: string) {
    await startTlsBalancer(this, algorithm, {}, { http2: true, limits: JSON.parse(text) });
  },
);

/**
 * What became of one request's header block: the answer to it, if any, and whether the balancer
 * cut it off (reset its stream, GOAWAY, or closed the connection). A server may do both: answer
 * early (a 431), then cut the rest off.
 */
interface BlockFate {
  readonly answer?: { readonly status: number | undefined; readonly headerBlock: Buffer };
  readonly cut?: 'its stream reset' | 'GOAWAY' | 'the connection closed';
}

function fateOf(connection: RawHttp2Connection, streamId: number): BlockFate {
  const { received } = connection;
  const head = received.find((read) => read.type === frameType.headers && read.streamId === streamId);
  const answer = head && { status: answerStatus(received, streamId), headerBlock: head.payload };
  const cut = received.some((read) => read.type === frameType.rstStream && read.streamId === streamId)
    ? 'its stream reset'
    : streamOutcomes(received).goaway
      ? 'GOAWAY'
      : connection.closed
        ? 'the connection closed'
        : undefined;
  return { ...(answer ? { answer } : {}), ...(cut ? { cut } : {}) };
}

function describe({ answer, cut }: BlockFate): string {
  const answered =
    answer &&
    `answered ${answer.status ?? `with a status this client could not read, in HEADERS beginning ${answer.headerBlock.subarray(0, 12).toString('hex')}`}`;
  return [answered, cut].filter(Boolean).join(', then ') || 'no answer, reset or close in time';
}

/**
 * Sends one GET whose header fields decode to about `references + 1` x `valueBytes` bytes from a
 * header block of about `valueBytes + references` bytes, and waits for the balancer's word on it.
 */
async function sendRepeatedField(world: LbWorld, valueBytes: number, references: number): Promise<BlockFate> {
  const connection = await openRawHttp2To(world);
  try {
    const block = Buffer.concat([
      getFields(serverName, '/repeated-field', connection.scheme),
      repeatedField('x-repeated', 'r'.repeat(valueBytes), references),
    ]);
    await connection.write(headerFrames(1, block, true));
    await connection.until((received) => {
      const outcomes = streamOutcomes(received);
      return outcomes.goaway || received.some((read) => read.streamId === 1 && read.type !== frameType.data);
    }, timeouts.requestMs);
    return fateOf(connection, 1);
  } finally {
    connection.close();
  }
}

// The last abusive header block a client sent, and what became of it.
const lastBlock = topicState(() => ({
  sent: undefined as
    | {
        readonly what: string;
        readonly fate: BlockFate;
        readonly countsBefore: ReadonlyMap<string, number>;
        /** Whether the balancer stopped reading and kept the connection open until the deadline. */
        readonly stalled?: boolean;
        readonly bytes?: number;
        readonly ms?: number;
        /** How the balancer's memory grew while the block came in. */
        readonly memory?: MemoryGrowth;
      }
    | undefined,
}));

function sentBlock(world: LbWorld) {
  const { sent } = lastBlock(world);
  if (!sent) throw new Error('no abusive header block was sent in this scenario');
  return sent;
}

When(
  'a client sends an HTTP\\/2 request with a field of {int} bytes named {int} more times by its index',
  async function (this: LbWorld, valueBytes: number, references: number) {
    const countsBefore = await this.backends.receivedCounts();
    const fate = await sendRepeatedField(this, valueBytes, references);
    const what = `a request whose header fields decode to ${(references + 1) * valueBytes} bytes`;
    lastBlock(this).sent = { what, fate, countsBefore };
  },
);

Then(
  'the balancer refused it: reset its stream, sent GOAWAY, closed the connection or answered 4xx',
  function (this: LbWorld) {
    const { what, fate } = sentBlock(this);
    // An answer decides: a 4xx refuses, any other serves, whatever follows it.
    const { answer, cut } = fate;
    const refused = answer ? answer.status !== undefined && answer.status >= 400 && answer.status < 500 : cut;
    if (!refused) {
      throw new ExpectationError(
        `expected ${what} to be refused (its stream reset, GOAWAY, the connection closed, or a 4xx answer); it got ${describe(fate)}`,
      );
    }
  },
);

Then('it reached no backend', async function (this: LbWorld) {
  const { what, countsBefore } = sentBlock(this);
  await expectCountsUnchanged(this, countsBefore, what);
});

Then(
  'an HTTP\\/2 request with a field of {int} bytes named {int} more times by its index is answered {int}',
  async function (this: LbWorld, valueBytes: number, references: number, status: number) {
    const fate = await sendRepeatedField(this, valueBytes, references);
    if (fate.answer?.status !== status) {
      throw new ExpectationError(
        `expected a request whose header fields decode to ${(references + 1) * valueBytes} bytes to be answered ${status}; it got ${describe(fate)}`,
      );
    }
  },
);

// What a client may send of a header block that never ends before the balancer must have cut it
// off: far past any sane bound on a header section (this schema allows 1 MiB at most), and past
// what the sockets' buffers on loopback hold once the balancer has stopped reading.
const floodBudgetBytes = 64 * 1024 * 1024;

When(
  'a client opens an HTTP\\/2 request and sends header fields in CONTINUATION frames that never end it',
  async function (this: LbWorld) {
    const countsBefore = await this.backends.receivedCounts();
    const connection = await openRawHttp2To(this);
    const startedMs = Date.now();
    let bytes = 0;
    let stalled = false;
    const { result: fate, memory } = await measureGrowth(this.balancer.started?.pid, async () => {
      await connection.write(unfinishedGet(1, serverName, '/continuation-flood', connection.scheme));
      // One deadline for the whole flood: it ends the wait for a write the balancer never reads.
      const deadline = connection.until(() => false, timeouts.requestMs).then(() => false);
      for (let frame = 0; !fateOf(connection, 1).cut && bytes < floodBudgetBytes; frame++) {
        // Each frame new fields, as many as the smallest frame size every peer takes (16 KiB) holds.
        const fields = Array.from(
          { length: 150 },
          (_, i) => [`x-flood-${frame}-${i}`, 'f'.repeat(90)] as const,
        );
        const written = continuation(1, headerBlock(fields));
        const wroteInTime = await Promise.race([connection.write(written).then(() => true), deadline]);
        if (!wroteInTime) {
          stalled = !connection.closed;
          break;
        }
        bytes += written.length;
        // Lets what the balancer sent back be read between writes.
        await new Promise((resolve) => setImmediate(resolve));
      }
      // Read before this client closes the connection itself.
      return fateOf(connection, 1);
    }).finally(() => connection.close());
    lastBlock(this).sent = {
      what: 'the request whose header block never ended',
      fate,
      countsBefore,
      stalled,
      bytes,
      ms: Date.now() - startedMs,
      memory,
    };
  },
);

Then(
  'the balancer cut the header block off: reset its stream, sent GOAWAY or closed the connection',
  function (this: LbWorld) {
    // An early answer (a 431) may come first; what counts is that the rest is cut off.
    const { fate, stalled, bytes = 0, ms } = sentBlock(this);
    if (fate.cut) return;
    const mib = (bytes / 1024 / 1024).toFixed(1);
    throw new ExpectationError(
      stalled
        ? `expected the balancer to cut off a header block that never ends (reset its stream, GOAWAY or close the connection); it stopped reading after ${mib} MiB and held the connection open for ${ms} ms`
        : `expected the balancer to cut off a header block that never ends (reset its stream, GOAWAY or close the connection) before the client had sent ${floodBudgetBytes / 1024 / 1024} MiB of it; it got ${describe(fate)} after ${mib} MiB in ${ms} ms`,
    );
  },
);

Then(
  "the balancer's memory grew by less than {int} MB while the header block came in",
  function (this: LbWorld, bound: number) {
    const { what, memory, bytes = 0 } = sentBlock(this);
    if (!memory) throw new Error('the memory was not measured while the header block came in');
    return expectGrowthBelow(
      this,
      memory,
      bound,
      `${what} (${(bytes / 2 ** 20).toFixed(1)} MiB sent)`,
      'a header block is bounded and cut off, not held',
    );
  },
);
