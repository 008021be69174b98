// A balancer told to stop gracefully, the way its adapter says, while requests, HTTP/2 streams or
// TCP connections are in flight: what it took on is finished, then it exits on its own.
import { randomBytes } from 'node:crypto';
import { Then, When } from '@cucumber/cucumber';
import type { Http2Connection } from '../harness/clients/http2.ts';
import { accepts } from '../harness/clients/net.ts';
import {
  type Exchange,
  type GreetedTcpConnection,
  openClient,
  openGreetedTcp,
  wallClockMs,
} from '../harness/clients/traffic.ts';
import { timeouts } from '../harness/timing/timeouts.ts';
import { settledWithin } from '../harness/timing/waiting.ts';
import { measuredBy } from './support/diagnosis.ts';
import { openHttp2To } from './support/http2-clients.ts';
import { awaitInFlight } from './support/in-flight.ts';
import { topicState } from './support/topic-state.ts';
import type { LbWorld } from './support/world.ts';

/** A stop asked for while requests were in flight: their answers, and the balancer's exit. */
const stopping = topicState(() => ({
  answers: undefined as Promise<Exchange[]> | undefined,
  stoppedAtMs: 0,
  exit: undefined as Promise<{ readonly how: string; readonly atMs: number }> | undefined,
  /** The HTTP/2 connection the streams were on, while the client holds it open. */
  http2: undefined as Http2Connection | undefined,
  /** TCP connections open through the balancer when it was told to stop, their conversations to come. */
  tcp: [] as GreetedTcpConnection[],
  /** What the diagnosis of a failure reads (see stop-mistakes.ts). */
  inFlight: 0,
  cut: undefined as number | undefined,
  exited: false,
  http2Ended: undefined as boolean | undefined,
  /** Whether the listener still took connections when a check after the stop failed. */
  acceptingAfterStop: undefined as boolean | undefined,
}));

measuredBy((world) => {
  const { inFlight, cut, exited, http2Ended, acceptingAfterStop } = stopping(world);
  if (inFlight === 0) return {};
  return {
    stop: {
      inFlight,
      exited,
      ...(cut === undefined ? {} : { cut }),
      ...(http2Ended === undefined ? {} : { http2Ended }),
      ...(acceptingAfterStop === undefined ? {} : { acceptingAfterStop }),
    },
  };
});

function stopOf(world: LbWorld) {
  const state = stopping(world);
  if (!state.answers || !state.exit) throw new Error('the balancer was not told to stop in this scenario');
  return { answers: state.answers, exit: state.exit, stoppedAtMs: state.stoppedAtMs };
}

When(
  '{int} requests are in flight, each answered after {int} ms, and the balancer is told to stop',
  async function (this: LbWorld, count: number, delayMs: number) {
    const shape = { path: '/in-flight', headers: { 'x-delay-ms': String(delayMs) } };
    // Each on a connection of its own, closed once its answer is read: nothing keeps the balancer
    // busy after the last answer but itself.
    const answers = Promise.all(
      Array.from({ length: count }, async (_, client) => {
        const connection = openClient(this.listenerAddress, 'http', client, shape);
        try {
          return await connection.exchange(0);
        } finally {
          await connection.close();
        }
      }),
    );
    await stopWhileInFlight(this, count, answers);
  },
);

When(
  '{int} HTTP\\/2 streams of one connection are in flight, each answered after {int} ms, and the balancer is told to stop',
  async function (this: LbWorld, count: number, delayMs: number) {
    const connection = await openHttp2To(this);
    const streams = Array.from({ length: count }, async (_, stream): Promise<Exchange> => {
      const sentAtMs = wallClockMs();
      const headers = { 'x-delay-ms': String(delayMs), 'x-request-id': `s${stream}` };
      const answer = await connection
        .request('/in-flight', headers, delayMs + timeouts.requestMs)
        .catch((error: Error) => error.message);
      const base = { client: stream, seq: 0, sentAtMs, durationMs: wallClockMs() - sentAtMs };
      if (typeof answer === 'string') return { ...base, error: answer };
      const backendId = answer.headers['x-backend-id'];
      return { ...base, status: answer.status, ...(backendId === undefined ? {} : { backendId }) };
    });
    // The client keeps the connection open: the balancer is to end it (a later step closes it).
    this.onDispose(() => connection.close());
    stopping(this).http2 = connection;
    await stopWhileInFlight(this, count, Promise.all(streams));
  },
);

When(
  '{int} TCP connections are open and the balancer is told to stop',
  async function (this: LbWorld, count: number) {
    const state = stopping(this);
    const opened = await Promise.allSettled(
      Array.from({ length: count }, () => openGreetedTcp(this.listenerAddress)),
    );
    for (const result of opened) if (result.status === 'fulfilled') state.tcp.push(result.value);
    this.onDispose(() => {
      for (const connection of state.tcp) connection.destroy();
    });
    const failed = opened.find((result) => result.status === 'rejected');
    if (failed)
      throw new Error(`a TCP connection through the balancer failed before the stop: ${failed.reason}`);
    await stopWhileInFlight(this, count);
  },
);

Then(
  'every open TCP connection still echoes what it is sent, and ends when its client ends it',
  async function (this: LbWorld) {
    const state = stopping(this);
    if (state.tcp.length === 0)
      throw new Error('no TCP connection was open when the balancer was told to stop');
    // Large enough to cross the balancer in several reads and writes.
    const payload = randomBytes(256 * 1024);
    const conversations = state.tcp.map(async (connection, client): Promise<Exchange> => {
      const sentAtMs = wallClockMs();
      const timing = () => ({ client, seq: 0, sentAtMs, durationMs: wallClockMs() - sentAtMs });
      try {
        const { echoed } = await connection.finish(payload);
        if (echoed.equals(payload)) return { ...timing(), status: 200, backendId: connection.welcome };
        const cutShort = echoed.length < payload.length && echoed.equals(payload.subarray(0, echoed.length));
        const error = cutShort
          ? `the connection ended after ${echoed.length} of the ${payload.length} bytes sent came back`
          : `what came back (${echoed.length} bytes) is not what was sent (${payload.length} bytes)`;
        return { ...timing(), error };
      } catch (error) {
        return { ...timing(), error: (error as Error).message };
      }
    });
    state.answers = Promise.all(conversations);
    const exchanges = await state.answers;
    const failed = exchanges.filter((exchange) => exchange.error !== undefined);
    state.cut = failed.length;
    if (failed.length > 0)
      throw new Error(
        `${failed.length} of ${exchanges.length} TCP connections open when the balancer was told to stop did not carry their conversation to its end:\n${failed.map((exchange) => `  connection ${exchange.client + 1}: ${exchange.error}`).join('\n')}`,
      );
  },
);

/**
 * Sends the stop once the backends count all `count` exchanges in flight; `answers`, when given,
 * are those exchanges' outcomes to come.
 */
async function stopWhileInFlight(
  world: LbWorld,
  count: number,
  answers?: Promise<Exchange[]>,
): Promise<void> {
  const state = stopping(world);
  state.answers = answers;
  await awaitInFlight(world, (total) => total === count, `${count} requests to reach the backends`);
  state.stoppedAtMs = wallClockMs();
  state.inFlight = count;
  const exit = world.balancer.stopGracefully().then((how) => {
    state.exited = true;
    return { how, atMs: wallClockMs() };
  });
  // Judged by the steps that follow; a failure to signal must not go unhandled meanwhile.
  exit.catch(() => {});
  state.exit = exit;
}

Then('every request in flight is answered 200 by a backend, its body whole', async function (this: LbWorld) {
  const { answers, stoppedAtMs } = stopOf(this);
  const exchanges = await answers;
  const answeredEarly = exchanges.filter((exchange) => answeredAtMs(exchange) < stoppedAtMs);
  if (answeredEarly.length > 0)
    throw new Error(
      `${answeredEarly.length} of ${exchanges.length} requests were answered before the stop was sent, so the scenario cannot judge the stop: the machine is too slow for the backends' delay`,
    );
  const backendIds = new Set(this.backends.keys());
  const failed = exchanges.filter(
    (exchange) =>
      exchange.error !== undefined ||
      exchange.status !== 200 ||
      exchange.backendId === undefined ||
      !backendIds.has(exchange.backendId),
  );
  stopping(this).cut = failed.length;
  if (failed.length === 0) return;
  const lines = failed.map(
    (exchange) =>
      `  request ${exchange.client + 1}: ${whatCameBack(exchange)} (${Math.round(answeredAtMs(exchange) - stoppedAtMs)} ms after the stop)`,
  );
  throw new Error(
    `${failed.length} of ${exchanges.length} requests in flight when the balancer was told to stop did not get their backend's whole answer:\n${lines.join('\n')}`,
  );
});

Then(
  'the HTTP\\/2 connection is sent GOAWAY or closed within {int} s of its last answer',
  async function (this: LbWorld, seconds: number) {
    const state = stopping(this);
    const { answers } = stopOf(this);
    const connection = state.http2;
    if (!connection) throw new Error('no HTTP/2 connection was kept open in this scenario');
    const lastAnswerMs = Math.max(...(await answers).map(answeredAtMs));
    const endedAtMs = await connection.endedAt(lastAnswerMs + seconds * 1000 - wallClockMs());
    // Either way the client is done with it now: only the balancer may keep itself running.
    state.http2 = undefined;
    state.http2Ended = endedAtMs !== undefined;
    await connection.close();
    if (endedAtMs === undefined) {
      // For the diagnosis: a balancer still listening may not have taken the stop at all.
      state.acceptingAfterStop = await accepts(this.listenerAddress);
      throw new Error(
        `the HTTP/2 connection was neither sent GOAWAY nor closed ${seconds} s after its last answer; a stopping balancer is to tell its HTTP/2 clients to open no more streams on it`,
      );
    }
  },
);

Then(
  'the balancer exits on its own within {int} s of the last answer',
  async function (this: LbWorld, seconds: number) {
    const { answers, exit, stoppedAtMs } = stopOf(this);
    const exchanges = await answers;
    await stopping(this).http2?.close();
    const lastAnswerMs = Math.max(stoppedAtMs, ...exchanges.map(answeredAtMs));
    const exited = await settledWithin(exit, lastAnswerMs + seconds * 1000 - wallClockMs());
    if (exited === undefined)
      throw new Error(
        `the balancer was still running ${seconds} s after the last answer it owed (told to stop ${Math.round(wallClockMs() - stoppedAtMs)} ms ago, with no client connection left open)`,
      );
  },
);

function whatCameBack(exchange: Exchange): string {
  if (exchange.error !== undefined) return exchange.error;
  if (!exchange.status) return 'its stream ended without an answer';
  return `status ${exchange.status}, from ${exchange.backendId ?? 'no backend'}`;
}

function answeredAtMs(exchange: Exchange): number {
  return exchange.sentAtMs + exchange.durationMs;
}
