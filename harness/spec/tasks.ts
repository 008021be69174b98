/** The tasks of the track this suite grades; a scenario's @task-NN tag names the one it grades. */
export const tasks = {
  'task-01': 'Round robin (stateless)',
  'task-02': 'Least connections (dynamic load, connection tracking)',
  'task-03': 'Health checks (failover, liveness)',
  'task-04': 'Layer 7 HTTP routing (content based)',
  'task-05': 'Consistent hashing (key affinity, cache locality)',
  'task-06': 'Layer 7 HTTP proxy (request routing, header inspection, backend selection)',
  'task-07': 'Path-based routing (URL rewriting, routing tables, wildcards, backend pools)',
  'task-08': 'Sticky sessions (cookie affinity, session persistence)',
  'task-09': 'Circuit breaker (failure threshold, half-open, recovery, cascade prevention)',
  'task-10': 'Rate limiting (token bucket, per IP, per API key, DDoS protection)',
  'task-11': 'Least connections under variable request durations (atomic counters, load-based routing)',
  'task-12': 'Weighted round robin (capacity, heterogeneous clusters, proportionality)',
  'task-13': 'Power of two choices (randomized, constant time)',
  'task-14': 'Consistent hashing under change (minimal disruption, additions/removals)',
  'task-15': 'Resilience (thundering herd, cascading failures, exponential backoff, graceful degradation)',
} as const satisfies Record<string, string>;

export type TaskTag = keyof typeof tasks;

export function isTaskTag(name: string): name is TaskTag {
  return Object.hasOwn(tasks, name);
}
