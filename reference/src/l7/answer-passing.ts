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
}

/** The reference's choices: stream the body, cut it when broken or paused past the response timeout. */
export function referencePassing({ upstream, pinnedTo }: BackendAnswer): Passing {
  return {
    setCookie: affinityHeader(upstream, pinnedTo),
    bodyIdleMs: upstream.pool.config.timeouts.responseMs,
    whole: false,
    whenBroken: 'cut',
  };
}

/** Passes the answer on the way `passing` says: its head with the route's and limits' headers, then its body. */
export async function passAnswerAs(
  { attempt, head, response, rules, answerHeaders }: BackendAnswer,
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
  response.writeHead(head.statusCode, headers);
  await attempt.pipeTo(response, passing);
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
