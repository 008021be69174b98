// Mistakes in applying a new config to a running balancer, read from the changes a scenario made
// (what changed, when it was asked for and when it went live) and the requests sent around them.
import type { LiveChange, MeasuredExchange, Measurements } from './measurements.ts';
import type { Mistake } from './mistake.ts';

const failed = (exchange: MeasuredExchange) =>
  exchange.error !== undefined || (exchange.status !== undefined && exchange.status >= 500);

/** Whether `exchange` was under way while `change` was being applied. */
const inFlightDuring = (exchange: MeasuredExchange, change: LiveChange) =>
  exchange.sentAtMs <= change.liveAtMs && exchange.sentAtMs + exchange.durationMs >= change.requestedAtMs;

/** The changes during which some request under way failed. */
function changesThatFailedRequests(measured: Measurements): LiveChange[] {
  const failures = measured.exchanges.filter(failed);
  return (measured.changes ?? []).filter((change) =>
    failures.some((exchange) => inFlightDuring(exchange, change)),
  );
}

/** The requests sent while `change` was the last one live (after it went live, before the next was asked for). */
function sentUnder(measured: Measurements, change: LiveChange): MeasuredExchange[] {
  const changes = measured.changes ?? [];
  const next = changes[changes.indexOf(change) + 1];
  return measured.exchanges.filter(
    (exchange) =>
      exchange.sentAtMs > change.liveAtMs && (next === undefined || exchange.sentAtMs < next.requestedAtMs),
  );
}

/** A change that removes no backend from the pool, so it has no request to end. */
const removesNothing = (change: LiveChange) => change.what !== 'left';

export const reloadMistakes: readonly Mistake[] = [
  {
    id: 'reload-cuts-requests-in-flight',
    concept: 'reloads',
    title: 'A reload aborts the requests in flight to backends that left',
    mistake: 'Removing a backend from the pool closes its connections at once, requests under way included.',
    shows: 'Requests failed while backends were leaving the pool, and at no other change.',
    rootCause:
      'The connection pool of a removed backend is destroyed on reload instead of closed gracefully (new requests refused, those in flight left to finish).',
    fix: 'Stop sending new requests to a removed backend, let its requests in flight finish (up to a drain timeout), then close its connections.',
    scenarios: ['member-under-continuous-traffic-backends'],
    signature(measured) {
      const failing = changesThatFailedRequests(measured);
      return failing.length > 0 && failing.every((change) => change.what === 'left') ? 1 : 0;
    },
  },
  {
    id: 'reload-drops-client-connections',
    concept: 'reloads',
    title: "A reload closes the clients' connections",
    mistake:
      'Applying a new config closes every client connection, idle or with a request in flight, as a restart would.',
    shows:
      'Requests under way failed at changes that removed no backend (one joining, a new weight, new routes).',
    rootCause:
      'The reload rebuilds the listeners (or the whole server) instead of swapping the config they read, so the old connections go with them.',
    fix: 'Keep the listening sockets and their connections across a reload; swap the routing table and pools atomically, and let requests in flight finish on what they started with.',
    scenarios: ['member-under-continuous-traffic-backends', 'member-under-continuous-traffic-routes'],
    signature(measured) {
      return changesThatFailedRequests(measured).some(removesNothing) ? 1 : 0;
    },
  },
  {
    id: 'routes-kept-after-reload',
    concept: 'reloads',
    title: 'A reload keeps routing by the old routes',
    mistake:
      'The new config is reported live, but requests are still routed by the routes compiled at start.',
    shows: 'Requests sent after new routes went live reached a pool none of the new routes sends to.',
    rootCause:
      'The router was built once and kept; the reload replaced the pools but not the routing table that points at them.',
    fix: 'Compile the new routes with the new pools and swap both in one step, so every request sees one config or the other.',
    scenarios: ['member-under-continuous-traffic-routes'],
    signature(measured) {
      // The routing scenarios give each backend a pool of its own, named after it.
      return (measured.changes ?? []).some(
        (change) =>
          change.what === 'routes' &&
          sentUnder(measured, change).some(
            (exchange) => exchange.backendId !== undefined && !change.pools.includes(exchange.backendId),
          ),
      )
        ? 1
        : 0;
    },
  },
  {
    id: 'reload-keeps-old-pools',
    concept: 'reloads',
    title: 'A reload reports the new config but keeps balancing over the old pools',
    mistake: 'The config hash and epoch move on, but the pools built at start keep serving.',
    shows: 'Requests sent after the new config went live reached a backend it no longer has.',
    rootCause: 'The pools are looked up from state built once; the reload updated only what it reports.',
    fix: 'Build the new pools (keeping the state of backends that stay), swap them in with the new routes in one step, and close the old ones.',
    scenarios: ['rr-changing-pool-runtime-rotates-http', 'rr-changing-pool-runtime-rotates-tcp'],
    signature(measured) {
      const members = new Set(measured.backends.map(({ id }) => id));
      const last = measured.changes?.at(-1);
      const after = last === undefined ? measured.exchanges : sentUnder(measured, last);
      return after.some((exchange) => exchange.backendId !== undefined && !members.has(exchange.backendId))
        ? 1
        : 0;
    },
  },
  {
    id: 'drained-backend-takes-new-requests',
    concept: 'reloads',
    title: 'A draining backend keeps taking new requests',
    mistake: 'A backend marked to drain stays in rotation (or keeps its pinned clients) until it is removed.',
    shows:
      'Requests sent after a backend was drained, with or without a cookie pinning them to it, still reached it.',
    rootCause:
      'Drain is read as a flag for later removal, not as "no new requests": the selector and the affinity lookup still offer the backend.',
    fix: 'Take a draining backend out of every choice of a backend for a new request, affinity included, and let only its requests in flight finish.',
    scenarios: ['member-under-continuous-traffic-backends', 'sticky-health-client-backend-drained-goes'],
    signature(measured) {
      const drained = (measured.changes ?? []).filter(
        (change): change is LiveChange & { readonly backend: string } => change.what === 'drained',
      );
      const sticky = measured.sticky;
      return drained.some((change) => {
        const reachedAfter = sentUnder(measured, change).some(
          (exchange) => exchange.backendId === change.backend,
        );
        const pinnedAfter = sticky?.answers
          .slice(sticky.mark)
          .some((answer) => answer.backend === change.backend);
        return reachedAfter || pinnedAfter === true;
      })
        ? 1
        : 0;
    },
  },
];
