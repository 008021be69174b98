import { once } from 'node:events';
import { Given, Then, When } from '@cucumber/cucumber';
import { ExpectationError } from '../harness/checks/expectations.ts';
import type { ConnectionFate } from '../harness/clients/abuse.ts';
import {
  answerHead,
  type OpenConnection,
  openConnection,
  sendRawText,
  trickle,
} from '../harness/clients/abuse.ts';
import { finalStatuses } from '../harness/clients/raw-answers.ts';
import { wallClockMs } from '../harness/clients/traffic.ts';
import type { ListenerProtocol } from '../harness/spec/config-document.ts';
import { timeouts } from '../harness/timing/timeouts.ts';
import { pollUntil } from '../harness/timing/waiting.ts';
import { expectCountsUnchanged } from './support/backend-counts.ts';
import { clientLimits } from './support/client-limits.ts';
import { idleOutsideTimeout } from './support/idle-bounds.ts';
import { recordProbe } from './support/probes.ts';
import { topicState } from './support/topic-state.ts';
import type { LbWorld } from './support/world.ts';

// What became of a client that never finished its headers.
const abuse = topicState(() => ({
  slowClient: undefined as (ConnectionFate & { readonly startedMs: number }) | undefined,
  /** Connections a client holds open on purpose (closed when the scenario ends). */
  held: [] as OpenConnection[],
}));

Given(
  'a balancer with a(n) {protocol} listener using round_robin over all backends, with these client limits:',
  async function (this: LbWorld, protocol: ListenerProtocol, text: string) {
    const limits = JSON.parse(text) as Record<string, number>;
    await this.startBalancer(
      protocol,
      'round_robin',
      [...this.backends.keys()].map((id) => ({ id })),
      {},
      { limits },
    );
  },
);

const protocolOf = (world: LbWorld) => world.balancer.config?.listeners[0]?.protocol ?? 'http';

/** Opens a connection from `from` and waits for the balancer's answer on it: an HTTP head, or a TCP backend's greeting. */
async function answeredConnection(world: LbWorld, from: string): Promise<OpenConnection> {
  const connection = openConnection(world.listenerAddress, from);
  if (protocolOf(world) === 'http') {
    connection.socket.write('GET / HTTP/1.1\r\nHost: app.example\r\n\r\n');
    await answerHead(connection.socket);
  } else {
    await new Promise<void>((resolve, reject) => {
      connection.socket.once('data', () => resolve());
      connection.socket.once('close', () => reject(new Error('closed before the backend greeted')));
    });
  }
  return connection;
}

When(
  'the client at {word} holds {int} connections open',
  async function (this: LbWorld, from: string, count: number) {
    const { held } = abuse(this);
    if (held.length === 0) {
      this.onDispose(() => {
        for (const connection of held.splice(0)) connection.socket.destroy();
      });
    }
    for (let i = 0; i < count; i++) held.push(await answeredConnection(this, from));
  },
);

Then(
  'another connection from {word} is closed without an answer',
  async function (this: LbWorld, from: string) {
    const connection = openConnection(this.listenerAddress, from);
    const startedMs = wallClockMs();
    const request = protocolOf(this) === 'http' ? 'GET / HTTP/1.1\r\nHost: app.example\r\n\r\n' : '';
    connection.socket.write(request);
    const fate = await connection.fate(timeouts.requestMs);
    connection.socket.destroy();
    recordProbe(this, {
      sent: request,
      expected: [],
      statuses: finalStatuses(fate.received),
      closeWithinMs: timeouts.requestMs,
      ...closedAfter(fate, startedMs),
    });
    if (!fate.closed || fate.received !== '') {
      throw new ExpectationError(
        `a connection past the per-client limit was ${fate.closed ? 'closed after an answer' : 'kept open'}: ${JSON.stringify(fate.received.slice(0, 80))}`,
      );
    }
  },
);

Then('a connection from {word} is answered', async function (this: LbWorld, from: string) {
  const connection = await answeredConnection(this, from).catch((error: Error) => {
    throw new ExpectationError(`a connection from ${from} was not answered: ${error.message}`);
  });
  connection.socket.destroy();
});

When('the client at {word} closes one of its connections', function (this: LbWorld, _from: string) {
  abuse(this).held.pop()?.socket.destroy();
});

Then(
  'a new connection from {word} is answered once that one is gone',
  async function (this: LbWorld, from: string) {
    const connection = await pollUntil(() => answeredConnection(this, from), {
      what: `a connection from ${from} to be answered after it closed one`,
      timeoutMs: timeouts.requestMs,
    });
    connection.socket.destroy();
  },
);

/** When a connection closed, in ms from `startedMs`, if it did. */
function closedAfter(fate: ConnectionFate, startedMs: number): { closedAfterMs?: number } {
  return fate.closed ? { closedAfterMs: fate.atMs - startedMs } : {};
}

// The limit a slow client runs into: the headers' own, or the whole request's.
const slowLimits = { header: 'headerTimeoutMs', request: 'requestTimeoutMs' } as const;

function slowLimitMs(world: LbWorld, which: keyof typeof slowLimits): number {
  const limitMs = clientLimits(world)[slowLimits[which]];
  if (limitMs === undefined) throw new Error(`the balancer has no limits.${slowLimits[which]}`);
  return limitMs;
}

/** Writes `head` at once and then `endless` a byte every `everyMs`, until the balancer acts or well past `limitMs`. */
async function trickleUntilCut(
  world: LbWorld,
  head: string,
  endless: string,
  everyMs: number,
  limitMs: number,
) {
  const connection = openConnection(world.listenerAddress, '127.0.0.2');
  const startedMs = wallClockMs();
  connection.socket.write(head);
  void trickle(connection.socket, endless, everyMs);
  const fate = await connection.fate(limitMs * 2 + timeouts.timingSlackMs * 4);
  connection.socket.destroy();
  abuse(world).slowClient = { ...fate, startedMs };
  recordProbe(world, {
    sent: head + endless.slice(0, 100),
    expected: [[408]],
    statuses: finalStatuses(fate.received),
    closeWithinMs: limitMs,
    ...closedAfter(fate, startedMs),
  });
}

When(
  'a client sends the headers of a request one byte every {int} ms, never finishing them',
  async function (this: LbWorld, everyMs: number) {
    const endless = `GET / HTTP/1.1\r\nHost: app.example\r\nX-Slow: ${'a'.repeat(100_000)}`;
    await trickleUntilCut(this, '', endless, everyMs, slowLimitMs(this, 'header'));
  },
);

When(
  'a client sends the body of a POST one byte every {int} ms, never finishing it',
  async function (this: LbWorld, everyMs: number) {
    const head = 'POST /upload HTTP/1.1\r\nHost: app.example\r\nContent-Length: 100000\r\n\r\n';
    await trickleUntilCut(this, head, 'x'.repeat(100_000), everyMs, slowLimitMs(this, 'request'));
  },
);

Then(
  /^the balancer answered it 408 or closed it within the (header|request) timeout$/,
  function (this: LbWorld, which: keyof typeof slowLimits) {
    const slow = abuse(this).slowClient;
    if (!slow) throw new Error('no slow client in this scenario');
    const limitMs = slowLimitMs(this, which);
    const tookMs = slow.atMs - slow.startedMs;
    const answered = slow.received === '' || slow.received.startsWith('HTTP/1.1 408');
    if (!slow.closed || !answered || tookMs > limitMs + timeouts.timingSlackMs) {
      throw new ExpectationError(
        `a client that never finished its ${which === 'header' ? 'headers' : 'body'} was ${slow.closed ? `closed after ${Math.round(tookMs)} ms` : 'never closed'} (allowed ${limitMs} ms + ${timeouts.timingSlackMs} ms slack), having received ${JSON.stringify(slow.received.slice(0, 60))}`,
      );
    }
  },
);

Then(
  "a client that sends a whole request's headers over {int} ms gets an answer",
  async function (this: LbWorld, overMs: number) {
    const limitMs = slowLimitMs(this, 'header');
    const request = 'GET / HTTP/1.1\r\nHost: app.example\r\nConnection: close\r\n\r\n';
    // On a busy machine the client's timers may stretch its headers past the timeout, and then a
    // 408 is right: such a try proves nothing either way and is made again.
    const tries: string[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const connection = openConnection(this.listenerAddress, '127.0.0.3');
      const answer = answerHead(connection.socket);
      const startedMs = performance.now();
      await trickle(connection.socket, request, overMs / request.length);
      const tookMs = performance.now() - startedMs;
      const head = await answer.catch((error: Error) => `no answer: ${error.message}`);
      connection.socket.destroy();
      if (head.startsWith('HTTP/1.1 200')) return;
      const got = head.split('\r\n')[0] ?? '';
      if (tookMs < limitMs)
        throw new ExpectationError(
          `a slow but complete request (its headers took ${Math.round(tookMs)} ms) got ${got}`,
        );
      tries.push(`${Math.round(tookMs)} ms, then ${got}`);
    }
    throw new Error(
      `could not send headers over ${overMs} ms within the ${limitMs} ms header timeout in 3 tries (the machine is too busy): ${tries.join('; ')}`,
    );
  },
);

async function sendWithHeaderOf(world: LbWorld, size: number, status: number): Promise<void> {
  const sent = `GET / HTTP/1.1\r\nHost: app.example\r\nX-Big: ${'a'.repeat(size)}\r\nConnection: close\r\n\r\n`;
  const { status: got, received } = await sendRawText(world.listenerAddress, sent);
  recordProbe(world, { sent, expected: [[status]], statuses: finalStatuses(received) });
  if (got !== status)
    throw new ExpectationError(
      `a request with a ${size}-byte header got ${got ?? JSON.stringify(received.slice(0, 60))}, expected ${status}`,
    );
}

Then(
  'a request with a header of {int} bytes is answered {int}',
  async function (this: LbWorld, size: number, status: number) {
    await sendWithHeaderOf(this, size, status);
  },
);

// The backends take headers of any size: a balancer that passed the request on and answered for
// the backend is caught by their counts.
Then(
  'a request with a header of {int} bytes is answered {int}, and reaches no backend',
  async function (this: LbWorld, size: number, status: number) {
    const before = await this.backends.receivedCounts();
    await sendWithHeaderOf(this, size, status);
    await expectCountsUnchanged(this, before, `the request with a ${size}-byte header`);
  },
);

Then(
  /^a POST of (\d+) bytes (with a Content-Length|chunked) is answered (\d+)$/,
  async function (this: LbWorld, size: string, framing: string, status: string) {
    const bytes = Number(size);
    const head =
      framing === 'chunked'
        ? 'POST /upload HTTP/1.1\r\nHost: app.example\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n'
        : `POST /upload HTTP/1.1\r\nHost: app.example\r\nContent-Length: ${bytes}\r\nConnection: close\r\n\r\n`;
    const body =
      framing === 'chunked'
        ? `${bytes.toString(16)}\r\n${'x'.repeat(bytes)}\r\n0\r\n\r\n`
        : 'x'.repeat(bytes);
    const { status: got, received } = await sendRawText(this.listenerAddress, head + body, {
      stopOnAnswer: true,
    });
    recordProbe(this, { sent: head + body, expected: [[Number(status)]], statuses: finalStatuses(received) });
    if (got !== Number(status))
      throw new ExpectationError(
        `a POST of ${bytes} bytes (${framing}) got ${got ?? JSON.stringify(received.slice(0, 60))}, expected ${status}`,
      );
  },
);

Then(
  'a kept-alive connection left idle after an answer is closed within the idle timeout, and not sooner',
  async function (this: LbWorld) {
    const { idleTimeoutMs = 0 } = clientLimits(this);
    const connection = await answeredConnection(this, '127.0.0.2');
    const idleFromMs = wallClockMs();
    const fate = await connection.fate(idleTimeoutMs * 2 + timeouts.timingSlackMs * 4);
    connection.socket.destroy();
    recordProbe(this, {
      sent: 'GET / HTTP/1.1\r\nHost: app.example\r\n\r\n',
      expected: [[200]],
      statuses: finalStatuses(fate.received),
      closeWithinMs: idleTimeoutMs,
      ...closedAfter(fate, idleFromMs),
    });
    const outside = idleOutsideTimeout(
      fate.atMs,
      { earliestMs: idleFromMs, latestMs: idleFromMs },
      idleTimeoutMs,
    );
    if (!fate.closed || outside !== undefined) {
      throw new ExpectationError(
        `an idle connection was ${fate.closed ? `closed after ${outside}` : 'never closed'}; the idle timeout is ${idleTimeoutMs} ms (${timeouts.timingSlackMs} ms slack either way)`,
      );
    }
  },
);

Then(
  'a connection that sends nothing is closed within the idle timeout, and not sooner',
  async function (this: LbWorld) {
    const { idleTimeoutMs = 0 } = clientLimits(this);
    // The balancer's timer starts with the connection: after the client began to open it, and
    // before the client saw it open.
    const openingMs = wallClockMs();
    const connection = openConnection(this.listenerAddress, '127.0.0.2');
    await once(connection.socket, 'connect');
    const openMs = wallClockMs();
    const waitedMs = idleTimeoutMs * 2 + timeouts.timingSlackMs * 4;
    const fate = await connection.fate(waitedMs);
    connection.socket.destroy();
    const outside = idleOutsideTimeout(fate.atMs, { earliestMs: openingMs, latestMs: openMs }, idleTimeoutMs);
    if (!fate.closed || outside !== undefined)
      throw new ExpectationError(
        `a connection that sent nothing was ${fate.closed ? `closed after ${outside}` : `not closed in ${waitedMs} ms`}${fate.received ? ` (it was sent ${JSON.stringify(fate.received.slice(0, 80))})` : ''}; the idle timeout is ${idleTimeoutMs} ms (${timeouts.timingSlackMs} ms slack either way)`,
      );
  },
);

Then('backend {word} soon has no request in flight', async function (this: LbWorld, id: string) {
  let last = 0;
  await pollUntil(
    async () => {
      last = await this.backends.inFlight(id);
      return last === 0 ? true : undefined;
    },
    { what: `backend ${id} to have no request in flight`, timeoutMs: timeouts.timingSlackMs },
  ).catch(() => {
    throw new ExpectationError(
      `backend ${id} still held ${last} request(s) ${timeouts.timingSlackMs} ms after the client was cut off: the balancer kept the backend's copy of the slow request open`,
    );
  });
});
