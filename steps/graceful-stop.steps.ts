import { Then, When } from '@cucumber/cucumber';
import { type Exchange, openClient, wallClockMs } from '../harness/clients/traffic.ts';
import { awaitInFlight } from './support/in-flight.ts';
import { topicState } from './support/topic-state.ts';
import type { LbWorld } from './support/world.ts';

/** A stop asked for while requests were in flight: their answers, and the balancer's exit. */
const stopping = topicState(() => ({
  answers: undefined as Promise<Exchange[]> | undefined,
  stoppedAtMs: 0,
  exit: undefined as Promise<{ readonly how: string; readonly atMs: number }> | undefined,
}));

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
    const state = stopping(this);
    state.answers = answers;
    await awaitInFlight(this, (total) => total === count, `${count} requests to reach the backends`);
    state.stoppedAtMs = wallClockMs();
    const exit = this.balancer.stopGracefully().then((how) => ({ how, atMs: wallClockMs() }));
    // Judged by the steps that follow; a failure to signal must not go unhandled meanwhile.
    exit.catch(() => {});
    state.exit = exit;
  },
);

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
  if (failed.length === 0) return;
  const lines = failed.map(
    (exchange) =>
      `  request ${exchange.client + 1}: ${exchange.error ?? `status ${exchange.status}, from ${exchange.backendId ?? 'no backend'}`} (${Math.round(answeredAtMs(exchange) - stoppedAtMs)} ms after the stop)`,
  );
  throw new Error(
    `${failed.length} of ${exchanges.length} requests in flight when the balancer was told to stop did not get their backend's whole answer:\n${lines.join('\n')}`,
  );
});

Then(
  'the balancer exits on its own within {int} s of the last answer',
  async function (this: LbWorld, seconds: number) {
    const { answers, exit, stoppedAtMs } = stopOf(this);
    const exchanges = await answers;
    const lastAnswerMs = Math.max(stoppedAtMs, ...exchanges.map(answeredAtMs));
    const deadlineMs = lastAnswerMs + seconds * 1000;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(resolve, Math.max(0, deadlineMs - wallClockMs()), undefined);
    });
    const exited = await Promise.race([exit, late]).finally(() => clearTimeout(timer));
    if (exited === undefined)
      throw new Error(
        `the balancer was still running ${seconds} s after the last answer it owed (told to stop ${Math.round(wallClockMs() - stoppedAtMs)} ms ago, with no client connection left open)`,
      );
  },
);

function answeredAtMs(exchange: Exchange): number {
  return exchange.sentAtMs + exchange.durationMs;
}
