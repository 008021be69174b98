// An HTTP/2 connection's idle timeout: it runs while no stream is open, never under a stream in flight.
import { Then } from '@cucumber/cucumber';
import { ExpectationError } from '../harness/checks/expectations.ts';
import type { Http2Connection } from '../harness/clients/http2.ts';
import { wallClockMs } from '../harness/clients/traffic.ts';
import { timeouts } from '../harness/timing/timeouts.ts';
import { clientLimits } from './support/client-limits.ts';
import { overOneHttp2Connection } from './support/http2-clients.ts';
import { type IdleFrom, idleOutsideTimeout } from './support/idle-bounds.ts';
import type { LbWorld } from './support/world.ts';

function idleTimeoutOf(world: LbWorld): number {
  const idleMs = clientLimits(world).idleTimeoutMs;
  if (idleMs === undefined) throw new Error('the listener has no limits.idleTimeoutMs');
  return idleMs;
}

/**
 * Throws unless the server ended `connection` (GOAWAY or close) the idle timeout after its timer
 * started, within the slack either way: a busy client's late view of when it started moves neither
 * bound.
 */
async function expectEndedWhenIdle(
  connection: Http2Connection,
  idleFrom: IdleFrom,
  idleMs: number,
  what: string,
): Promise<void> {
  const slackMs = timeouts.timingSlackMs;
  const endedAtMs = await connection.endedAt(idleMs + 4 * slackMs);
  if (endedAtMs === undefined)
    throw new ExpectationError(
      `${what} was neither sent GOAWAY nor closed in ${idleMs + 4 * slackMs} ms; the idle timeout is ${idleMs} ms`,
    );
  const outside = idleOutsideTimeout(endedAtMs, idleFrom, idleMs);
  if (outside !== undefined)
    throw new ExpectationError(
      `${what} was ended after ${outside} idle; the idle timeout is ${idleMs} ms (${slackMs} ms slack either way)`,
    );
}

Then(
  'an HTTP\\/2 connection whose request the backend holds past the idle timeout is answered 200 on it, while quick requests beside it come and go',
  async function (this: LbWorld) {
    // Held past the idle timeout by more than the slack a late timer could take.
    const holdMs = idleTimeoutOf(this) + 2 * timeouts.timingSlackMs;
    await overOneHttp2Connection(this, async (connection) => {
      const held = connection
        .request('/', { 'x-delay-ms': String(holdMs) }, holdMs + timeouts.requestMs)
        .catch((error: Error) => ({ status: 0, failure: error.message }));
      // Each quick one ends while the held one is in flight: the connection is not idle then.
      const quick = await connection.exchanges('/', 3, 1, timeouts.requestMs);
      const answer = await held;
      const ended = await connection.endedAt(0);
      const quickFailed = quick.filter((exchange) => exchange.status !== 200).length;
      if (answer.status !== 200 || ended !== undefined || quickFailed > 0) {
        const got =
          'failure' in answer
            ? `got no answer (${answer.failure})`
            : answer.status === 0
              ? 'its stream ended without an answer'
              : `was answered ${answer.status}`;
        throw new ExpectationError(
          `a request the backend held ${holdMs} ms ${got}${ended === undefined ? '' : ', and its connection was sent GOAWAY or closed meanwhile'}${quickFailed > 0 ? `; ${quickFailed} of 3 quick requests beside it failed` : ''}; a stream in flight must keep its connection open and be answered 200`,
        );
      }
    });
  },
);

Then(
  'an HTTP\\/2 connection left idle after an answer is ended \\(GOAWAY or closed) within the idle timeout, and not sooner',
  async function (this: LbWorld) {
    const idleMs = idleTimeoutOf(this);
    await overOneHttp2Connection(this, async (connection) => {
      const sentMs = wallClockMs();
      const answer = await connection.request('/', {}, timeouts.requestMs);
      const idleFrom = { earliestMs: sentMs, latestMs: wallClockMs() };
      if (answer.status !== 200)
        throw new ExpectationError(`the first request was answered ${answer.status}, not 200`);
      await expectEndedWhenIdle(connection, idleFrom, idleMs, 'an HTTP/2 connection idle after an answer');
    });
  },
);

Then(
  'an HTTP\\/2 connection that sends no request is ended within the idle timeout, and not sooner',
  async function (this: LbWorld) {
    const idleMs = idleTimeoutOf(this);
    // The balancer's timer starts with the connection: after the client began to open it, before
    // the client had the balancer's settings.
    const openingMs = wallClockMs();
    await overOneHttp2Connection(this, (connection) =>
      expectEndedWhenIdle(
        connection,
        { earliestMs: openingMs, latestMs: wallClockMs() },
        idleMs,
        'an HTTP/2 connection that sent no request',
      ),
    );
  },
);
