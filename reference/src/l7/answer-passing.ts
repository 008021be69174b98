import type { ServerResponse } from 'node:http';
import type { AnswerPasser, BackendAnswer } from '../listener-context.ts';
import type { Upstream } from '../pools.ts';
import { affinityCookie } from './affinity.ts';
import { forwardableHeaders } from './forwarding-headers.ts';
import { applyToHeaderList } from './header-rules.ts';

/** How an answer goes on: the reference's choices, which a broken balancer may alter. */
export interface Passing {
  /** The affinity cookie to set, if any. */
  readonly setCookie: string | undefined;
  /** The longest the body may pause in the middle; undefined: forever. */
  readonly bodyIdleMs: number | undefined;
  /** Hold the whole body before a byte goes out, instead of streaming it. */
  readonly whole: boolean;
  /** When the backend breaks its body off: cut the client's answer, or end it as if whole. */
  readonly whenBroken: 'cut' | 'end';
  /** A gRPC Trailers-Only head (its status in it) ends the client's stream with it, as it ended the backend's. */
  readonly trailersOnlyInOneFrame: boolean;
}

/** The reference's choices: stream the body, cut it when broken or paused past the response timeout. */
export function referencePassing({ upstream, pinnedTo }: BackendAnswer): Passing {
  return {
    setCookie: affinityHeader(upstream, pinnedTo),
    bodyIdleMs: upstream.pool.config.timeouts.responseMs,
    whole: false,
    whenBroken: 'cut',
    trailersOnlyInOneFrame: true,
  };
}

/** Passes the answer on the way `passing` says: its head with the route's and limits' headers, then its body. */
export async function passAnswerAs(
  { attempt, head, response, rules, answerHeaders, upstream }: BackendAnswer,
  passing: Passing,
): Promise<void> {
  let headers = applyToHeaderList(forwardableHeaders(head.headers), rules);
  if (!isEmpty(answerHeaders)) headers = applyToHeaderList(headers, { set: answerHeaders });
  if (passing.setCookie !== undefined) headers.push('set-cookie', passing.setCookie);
  if (passing.whole) {
    const bytes = await attempt.collect();
    response.writeHead(head.statusCode, headers).end(bytes);
    return;
  }
  // Only an HTTP/2 backend can answer Trailers-Only: other answers are not searched for it.
  if (passing.trailersOnlyInOneFrame && upstream.pool.config.http2 && trailersOnly(head.headers)) {
    await attempt.collect();
    endWithHeadOnly(response, head.statusCode, headers);
    return;
  }
  response.writeHead(head.statusCode, headers);
  await attempt.pipeTo(response, passing);
}

/**
 * A gRPC answer whose status is in its head is Trailers-Only: the backend's one HEADERS frame
 * ended the stream, and a gRPC client reads the status only from a frame that does.
 */
function trailersOnly(headers: readonly string[]): boolean {
  for (let i = 0; i < headers.length; i += 2)
    if ((headers[i] as string).toLowerCase() === 'grpc-status') return true;
  return false;
}

/**
 * Answers with a head and nothing after it. Node's HTTP/2 response sends its HEADERS frame when
 * first written to or ended; headers set beforehand and then ended go in one frame that ends the stream.
 */
function endWithHeadOnly(response: ServerResponse, status: number, headers: readonly string[]): void {
  const fields = new Map<string, string[]>();
  for (let i = 0; i < headers.length; i += 2) {
    const name = (headers[i] as string).toLowerCase();
    fields.set(name, [...(fields.get(name) ?? []), headers[i + 1] as string]);
  }
  response.statusCode = status;
  for (const [name, values] of fields)
    response.setHeader(name, values.length === 1 ? (values[0] as string) : values);
  response.end();
}

/** The reference's way of passing an answer on. */
export const passAnswer: AnswerPasser = (answer) => passAnswerAs(answer, referencePassing(answer));

/** A Set-Cookie pinning the client to `upstream`, unless its cookie already does or its pool is not sticky. */
export function affinityHeader(upstream: Upstream, pinnedTo: string | undefined): string | undefined {
  const sticky = upstream.pool.config.stickySession;
  const token = upstream.pool.tokenOf(upstream);
  return sticky && token !== undefined && token !== pinnedTo ? affinityCookie(sticky, token) : undefined;
}

// Without allocating, unlike Object.keys: this runs for every answer.
function isEmpty(record: object): boolean {
  for (const _ in record) return false;
  return true;
}
