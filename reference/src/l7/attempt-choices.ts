import type { KeyOf, PoolRuntime, Upstream } from '../pools.ts';
import { isIdempotent } from '../resilience/retry-policy.ts';
import { type KeyedRequest, keyOf } from './hash-key.ts';

/** Where a request's attempts stand when the next one picks its backend. */
export interface AttemptsSoFar {
  /** The backend the client's affinity cookie names (stickySession). */
  readonly pinnedTo: string | undefined;
  readonly tried: ReadonlySet<Upstream>;
  readonly key: KeyOf;
  /** The backend of the attempt before, if any. */
  readonly previous: Upstream | undefined;
}

/**
 * The choices a request's attempts make: the key it hashes by, the backend each attempt on node's
 * path goes to (the fast path takes only requests without retries or affinity, and sends them to
 * the pool's pick), whether a request lost on a kept-alive connection the backend closed goes
 * once more, and the share of the backoff cap a retry waits (full jitter).
 */
export interface AttemptChoices {
  readonly requestKey: (request: KeyedRequest) => KeyOf;
  readonly backendFor: (pool: PoolRuntime, attempts: AttemptsSoFar) => Upstream | undefined;
  /** `bodyReplayable`: its body is held, so it can be sent again. */
  readonly resendsLost: (method: string, bodyReplayable: boolean) => boolean;
  /** A number in [0, 1). */
  readonly jitter: () => number;
}

/**
 * The reference's: the pinned backend if it may take the request, else the pool's pick of the
 * untried; a lost request goes again if it is idempotent and its body can be sent again (RFC 9112 9.3.1).
 */
export const referenceAttemptChoices: AttemptChoices = {
  requestKey: keyOf,
  backendFor: (pool, { pinnedTo, tried, key }) => pool.pinned(pinnedTo, tried) ?? pool.pick(tried, key),
  resendsLost: (method, bodyReplayable) => bodyReplayable && isIdempotent(method),
  jitter: Math.random,
};
