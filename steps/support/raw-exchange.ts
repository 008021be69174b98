/** The last request a scenario wrote by hand, header by header, and what came back. */
import { echoIn } from '../../harness/clients/raw-answers.ts';
import { type RawAnswer, rawHttpRequest } from '../../harness/clients/traffic.ts';
import { measuredBy } from './diagnosis.ts';
import { topicState } from './topic-state.ts';
import type { LbWorld } from './world.ts';

const rawExchange = topicState(() => ({
  /** The headers of the last hand-written request, as sent. */
  headers: [] as readonly [string, string][],
  /** Its request target, as sent. */
  target: '/',
  answer: undefined as RawAnswer | undefined,
}));

measuredBy((world) => {
  const { headers, target, answer } = rawExchange(world);
  if (!answer) return {};
  const echo = echoIn(answer.body);
  const receivedTargets =
    echo?.url === undefined ? {} : { receivedTargets: [{ expected: target, received: echo.url }] };
  return {
    handWritten: { sent: headers, ...(echo?.headers ? { received: echo.headers } : {}) },
    ...receivedTargets,
  };
});

/** Sends one request with exactly these headers (see rawHttpRequest). */
export async function sendRawRequest(
  world: LbWorld,
  headers: readonly [string, string][],
  path = '/',
): Promise<void> {
  const state = rawExchange(world);
  state.headers = headers;
  state.target = path;
  state.answer = await rawHttpRequest(world.listenerAddress, { headers, path });
}

/** Notes a request sent some other way (over TLS, say) as the last hand-written one, with its answer. */
export function recordRawExchange(
  world: LbWorld,
  headers: readonly [string, string][],
  target: string,
  answer: RawAnswer,
): void {
  Object.assign(rawExchange(world), { headers, target, answer });
}

/** The headers of the last hand-written request, as sent. */
export function rawRequestHeaders(world: LbWorld): readonly [string, string][] {
  return rawExchange(world).headers;
}

function lastRawAnswer(world: LbWorld): RawAnswer {
  const answer = rawExchange(world).answer;
  if (!answer) throw new Error('no request was written by hand in this scenario');
  return answer;
}

/** The headers of the answer to the last hand-written request (lowercased names). */
export function rawAnswerHeaders(world: LbWorld): Readonly<Record<string, string>> {
  return lastRawAnswer(world).headers;
}

/** What the backend reported receiving for the last hand-written request (lowercased header names). */
export function backendEcho(world: LbWorld): ReceivedRequest {
  const answer = lastRawAnswer(world);
  const echo = echoIn(answer.body);
  if (echo === undefined)
    throw new Error(
      `the answer is not a backend's echo: HTTP ${answer.status} ${JSON.stringify(answer.body.slice(0, 200))}`,
    );
  return echo as ReceivedRequest;
}

/** A request as the backend received it. */
interface ReceivedRequest {
  readonly headers: Record<string, string | string[]>;
  readonly url: string;
  /** The header lines as they came, [name, value, ...]. */
  readonly rawHeaders?: readonly string[];
}
