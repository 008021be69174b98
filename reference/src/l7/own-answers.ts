// The answers the balancer gives itself, not a backend: no backend, a backend's failure, redirects.
import type { ServerResponse } from 'node:http';
import type { HeaderRules } from '../config/types.ts';
import type { PoolRuntime, Upstream } from '../pools.ts';
import { applyToHeaderRecord } from './header-rules.ts';

// What the client is told when a pool has no backend to offer, by the reason.
const unavailableBecause = {
  'circuit-open': { circuit: 'open', why: 'their circuit breakers are open' },
  overloaded: { circuit: 'overloaded', why: 'every one has its most requests in flight' },
  'no-backend': { circuit: undefined, why: 'they are unhealthy or ejected' },
} as const;

/** An answer of the balancer's own: status, the message its body gives, extra headers. */
export interface OwnAnswer {
  readonly status: number;
  readonly message: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** The answers a balancer gives for failures it met, the same on every path a request takes. */
export interface FailureAnswers {
  /** A pool has no backend to offer. */
  readonly noBackend: (pool: PoolRuntime) => OwnAnswer;
  /** A backend failed before its answer's head, or gave none in time (`timedOut`). */
  readonly upstreamFailure: (upstream: Upstream, error: unknown, timedOut: boolean) => OwnAnswer;
}

/** The answer when a pool has no backend to offer: 503 with Retry-After, and why. */
export function noBackendAnswer(pool: PoolRuntime): OwnAnswer {
  const retryAfter = pool.retryAfterSeconds();
  const { circuit, why } = unavailableBecause[pool.unavailability];
  const headers: Record<string, string> = { 'retry-after': String(retryAfter) };
  if (circuit) headers['x-circuit-breaker'] = circuit;
  return {
    status: 503,
    message: `no backend available in pool "${pool.name}" (${pool.upstreams.length} configured): ${why}; retry after ${retryAfter} s`,
    headers,
  };
}

/** The answer when a backend failed (502) or gave no answer in time (504). */
export function upstreamFailureAnswer(upstream: Upstream, error: unknown, timedOut: boolean): OwnAnswer {
  const reason = (error as Error).message || ((error as { code?: string }).code ?? '');
  return {
    status: timedOut ? 504 : 502,
    message: `backend "${upstream.id}" (${upstream.address}) ${timedOut ? 'timed out' : 'failed'}: ${reason}`,
  };
}

/** The reference's answers to failures. */
export const referenceFailureAnswers: FailureAnswers = {
  noBackend: noBackendAnswer,
  upstreamFailure: upstreamFailureAnswer,
};

/** Sends an answer of the balancer's own through node's response. */
export function sendOwnAnswer(response: ServerResponse, { status, message, headers }: OwnAnswer): void {
  sendError(response, status, message, headers);
}

export function sendRedirect(
  response: ServerResponse,
  status: number,
  location: string,
  rules: HeaderRules | undefined,
): void {
  const body = `lbspec-reference: moved to ${location}\n`;
  const headers = applyToHeaderRecord({ 'content-type': 'text/plain; charset=utf-8', location }, rules);
  response.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
  response.end(body);
}

/** A plain-text answer from the balancer itself; a connection already answering is cut instead. */
export function sendError(
  response: ServerResponse,
  status: number,
  message: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const body = ownAnswerBody(message);
  response.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  response.end(body);
}

/** The body of an answer of the balancer's own. */
export function ownAnswerBody(message: string): string {
  return `lbspec-reference: ${message}\n`;
}
