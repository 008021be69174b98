// An HTTP/2 connection's idle timeout: it runs while no stream is open, never under a stream in flight.
import { Then } from '@cucumber/cucumber';
import { ExpectationError } from '../harness/checks/expectations.ts';
import { wallClockMs } from '../harness/clients/traffic.ts';
import { timeouts } from '../harness/timing/timeouts.ts';
import { overOneHttp2Connection } from './support/http2-clients.ts';
import type { LbWorld } from './support/world.ts';

function idleTimeoutOf(world: LbWorld): number {
  const idleMs = world.balancer.config?.listeners[0]?.limits?.idleTimeoutMs;
  if (idleMs === undefined) throw new Error('the listener has no limits.idleTimeoutMs');
  return idleMs;
}

Then(
  'an HTTP\\/2 connection whose one request the backend holds past the idle timeout is answered 200 on it',
  async function (this: LbWorld) {
    // Held past the idle timeout by more than the slack a late timer could take.
    const holdMs = idleTimeoutOf(this) + 2 * timeouts.timingSlackMs;
    await overOneHttp2Connection(this, async (connection) => {
      const answer = await connection
        .request('/', { 'x-delay-ms': String(holdMs) }, holdMs + timeouts.requestMs)
        .catch((error: Error) => {
          throw new ExpectationError(
            `a request the backend held ${holdMs} ms got no answer: ${error.message}; the connection must stay open while a stream is in flight`,
          );
        });
      const ended = await connection.endedAt(0);
      if (answer.status !== 200 || ended !== undefined) {
        const got =
          answer.status === 0 ? 'its stream ended without an answer' : `it was answered ${answer.status}`;
        throw new ExpectationError(
          `a request the backend held ${holdMs} ms: ${got}${ended === undefined ? '' : ', and its connection was sent GOAWAY or closed meanwhile'}; a stream in flight must keep its connection open and be answered 200`,
        );
      }
    });
  },
);

Then(
  'an HTTP\\/2 connection left idle after an answer is ended \\(GOAWAY or closed) within the idle timeout, and not sooner',
  async function (this: LbWorld) {
    const idleMs = idleTimeoutOf(this);
    const slackMs = timeouts.timingSlackMs;
    await overOneHttp2Connection(this, async (connection) => {
      const answer = await connection.request('/', {}, timeouts.requestMs);
      if (answer.status !== 200)
        throw new ExpectationError(`the first request was answered ${answer.status}, not 200`);
      const idleFromMs = wallClockMs();
      const endedAtMs = await connection.endedAt(idleMs + 4 * slackMs);
      if (endedAtMs === undefined)
        throw new ExpectationError(
          `an HTTP/2 connection idle for ${idleMs + 4 * slackMs} ms was neither sent GOAWAY nor closed; the idle timeout is ${idleMs} ms`,
        );
      const tookMs = Math.round(endedAtMs - idleFromMs);
      if (tookMs > idleMs + slackMs || tookMs < idleMs - slackMs)
        throw new ExpectationError(
          `an idle HTTP/2 connection was ended after ${tookMs} ms; the idle timeout is ${idleMs} ms (${slackMs} ms slack either way)`,
        );
    });
  },
);
