import schema from '../../schema/config.v1.schema.json' with { type: 'json' };
import type { Capability } from './capabilities.ts';
import { type ConfigDocument, healthCheckDefaults } from './config-document.ts';

/**
 * What a config needs of a balancer, field by field: the audit that keeps scenarios honest about
 * the capabilities they declare. A balancer that declares only some capabilities must never be
 * failed by a config that uses a field belonging to one it left out, so every config the harness
 * writes is checked against its scenario's tags (see LbWorld), and a field the audit knows no rule
 * for is an error of its own: a new config field cannot slip past unaudited.
 */

/** One thing a config needs: a capability, or any one of several (e.g. a limit two scenarios share). */
export type Requirement = Capability | readonly Capability[];

/** A field's path with array positions as [] and pool names as *, e.g. "pools.*.healthCheck.intervalMs". */
type FieldPath = string;

/** Where a requirement comes from, for the message that names it. */
export interface FieldUse {
  readonly requirement: Requirement;
  /** JSON pointer of the field in the config, e.g. "/pools/main/healthCheck". */
  readonly pointer: string;
}

interface FieldContext {
  readonly value: unknown;
  /** The object that holds the field (a pool, a listener, a route). */
  readonly holder: Readonly<Record<string, unknown>>;
}

type Rule = readonly Requirement[] | ((field: FieldContext) => readonly Requirement[]);

const none: readonly Requirement[] = [];

const algorithms: Readonly<Record<string, Capability>> = {
  round_robin: 'round-robin',
  weighted_round_robin: 'weighted-round-robin',
  least_connections: 'least-connections',
  power_of_two_choices: 'power-of-two-choices',
  random: 'random',
  consistent_hash: 'consistent-hash',
};

const retryDefaults = schema.$defs.retries.properties;

// Probes with fall and rise thresholds (their defaults are 3 and 2) need them honoured; a product
// that acts on one probe passes only configs with both at 1. A TCP probe is a capability of its own.
const healthCheckRule = ({ value }: FieldContext): readonly Requirement[] => {
  const check = value as { type?: string; unhealthyThreshold?: number; healthyThreshold?: number };
  const fall = check.unhealthyThreshold ?? healthCheckDefaults.unhealthyThreshold;
  const rise = check.healthyThreshold ?? healthCheckDefaults.healthyThreshold;
  return [
    'active-health-checks',
    ...(fall > 1 || rise > 1 ? (['health-check-thresholds'] as const) : []),
    ...(check.type === 'tcp' ? (['tcp-health-checks'] as const) : []),
  ];
};

// The algorithms that weigh in-flight counts: unequal weights there need those weights honoured,
// which a product without weights (or one whose least-load pick ignores them) cannot do.
const loadAwareAlgorithms = new Set(['least_connections', 'power_of_two_choices']);

// A pool of one backend uses no algorithm: every algorithm sends it everything.
const algorithmRule = ({ value, holder }: FieldContext): readonly Requirement[] => {
  const backends = (holder.backends ?? []) as readonly { weight?: number }[];
  if (backends.length < 2) return none;
  const capability = algorithms[String(value)];
  if (!capability) throw new Error(`the audit knows no capability for algorithm "${String(value)}"`);
  const weights = new Set(backends.map((backend) => backend.weight ?? 1));
  const weighed = loadAwareAlgorithms.has(String(value)) && weights.size > 1;
  return weighed ? [capability, 'load-aware-weights'] : [capability];
};

// Retries wait between attempts unless both backoff intervals are 0 (their defaults are not).
const retriesRule = ({ value }: FieldContext): readonly Requirement[] => {
  const retries = value as {
    baseIntervalMs?: number;
    maxIntervalMs?: number;
    budget?: unknown;
    retryOn?: readonly (string | number)[];
    retryNonIdempotent?: boolean;
  };
  const base = retries.baseIntervalMs ?? retryDefaults.baseIntervalMs.default;
  const max = retries.maxIntervalMs ?? retryDefaults.maxIntervalMs.default;
  const retryOn = retries.retryOn ?? retryDefaults.retryOn.default;
  return [
    'retries',
    ...(retryOn.some((kind) => kind === 'reset' || kind === 'timeout') ? (['retry-on-reset'] as const) : []),
    ...(retryOn.some((kind) => typeof kind === 'number') ? (['retry-on-status'] as const) : []),
    ...(retries.retryNonIdempotent ? (['retry-non-idempotent'] as const) : []),
    ...(Math.min(base, max) > 0 ? (['retry-backoff'] as const) : []),
    ...(retries.budget === undefined ? [] : (['retry-budget'] as const)),
  ];
};

// A key from a header is the core of consistent hashing; every other place is its own capability.
const hashKeySources: Readonly<Record<string, Capability>> = {
  cookie: 'hash-key-cookie',
  query: 'hash-key-query',
  path: 'hash-key-path',
  'client-ip': 'hash-key-client-ip',
};
const hashKeyRule = ({ value }: FieldContext): readonly Requirement[] => {
  const source = hashKeySources[(value as { from: string }).from];
  return source ? ['consistent-hash', source] : ['consistent-hash'];
};

/**
 * Each rule covers its field and everything under it, unless a deeper rule names a part. A field
 * with no rule of its own or above it is an error.
 */
const rules: Readonly<Record<FieldPath, Rule>> = {
  version: none,
  admin: none,
  'admin.address': none,
  'admin.token': ['admin-api'],
  listeners: none,
  'listeners[]': none,
  'listeners[].name': none,
  'listeners[].address': none,
  'listeners[].pool': none,
  'listeners[].protocol': ({ value }) => [value === 'tcp' ? 'l4' : 'l7'],
  'listeners[].routes': ['routing'],
  'listeners[].routes[].split': ['traffic-split'],
  'listeners[].routes[].rewrite': ['rewrites'],
  'listeners[].routes[].redirect': ['redirects'],
  'listeners[].routes[].requestHeaders': ['header-rules'],
  'listeners[].routes[].responseHeaders': ['header-rules'],
  'listeners[].routes[].rateLimit': ['rate-limit'],
  'listeners[].routes[].rateLimit.store': ['rate-limit', 'shared-rate-limit-store'],
  'listeners[].rateLimit': ['rate-limit'],
  'listeners[].rateLimit.store': ['rate-limit', 'shared-rate-limit-store'],
  'listeners[].tls': ['tls-termination'],
  'listeners[].sniRoutes': ['tls-passthrough'],
  'listeners[].http2': ({ value, holder }) => (value === true ? [holder.tls ? 'h2-over-tls' : 'h2c'] : []),
  'listeners[].tls.sni': ['tls-termination', 'tls-sni'],
  'listeners[].limits': none,
  'listeners[].limits.maxConnectionsPerClient': ['client-connection-limit'],
  'listeners[].limits.headerTimeoutMs': ['header-timeout'],
  'listeners[].limits.requestTimeoutMs': ['request-timeout'],
  'listeners[].limits.maxHeaderBytes': [['size-limits', 'request-line-limit']],
  'listeners[].limits.maxBodyBytes': ['size-limits'],
  'listeners[].limits.idleTimeoutMs': ['idle-timeout'],
  pools: none,
  'pools.*': none,
  'pools.*.algorithm': algorithmRule,
  'pools.*.backends': none,
  'pools.*.backends[]': none,
  'pools.*.backends[].id': none,
  'pools.*.backends[].address': none,
  'pools.*.backends[].weight': none,
  'pools.*.backends[].drain': ['runtime-membership'],
  'pools.*.healthCheck': healthCheckRule,
  'pools.*.healthCheck.initialState': ['initial-health-state'],
  'pools.*.outlierDetection': ['passive-health-checks'],
  'pools.*.retries': retriesRule,
  'pools.*.timeouts': none,
  'pools.*.timeouts.connectMs': ['connect-timeout'],
  'pools.*.timeouts.responseMs': ['timeouts'],
  'pools.*.panicThresholdPercent': ['panic-threshold'],
  'pools.*.backupPool': ['backup-pool'],
  'pools.*.circuitBreaker': ['circuit-breaker'],
  'pools.*.hashKey': hashKeyRule,
  'pools.*.hashBalanceFactor': ['hash-bounded-load'],
  'pools.*.tls': ['tls-upstream'],
  'pools.*.http2': ({ value }) => (value === true ? ['h2-upstream'] : []),
  'pools.*.hashMethod': ({ value }) => (value === 'maglev' ? ['maglev'] : ['consistent-hash']),
  'pools.*.stickySession': ['sticky-sessions'],
  'pools.*.stickySession.path': ['sticky-cookie-attributes'],
  'pools.*.stickySession.httpOnly': ['sticky-cookie-attributes'],
  'pools.*.stickySession.sameSite': ['sticky-cookie-attributes'],
  'pools.*.stickySession.maxAgeSeconds': ['sticky-cookie-attributes'],
};

/**
 * What the rules whose needs depend on the field's value can need, and when: for the docs.
 * A unit test checks that these rules need nothing else.
 */
export const valueDependentRules: Readonly<Record<FieldPath, readonly (readonly [Capability, string])[]>> = {
  'listeners[].protocol': [
    ['l7', '"http"'],
    ['l4', '"tcp"'],
  ],
  'pools.*.http2': [['h2-upstream', 'true']],
  'listeners[].http2': [
    ['h2-over-tls', 'true, with "tls"'],
    ['h2c', 'true, without "tls"'],
  ],
  'pools.*.algorithm': [
    ...Object.entries(algorithms).map(
      ([name, capability]) => [capability, `"${name}", in a pool of two or more backends`] as const,
    ),
    ['load-aware-weights', '"least_connections" or "power_of_two_choices" over backends of unequal weights'],
  ],
  'pools.*.retries': [
    ['retries', 'always'],
    ['retry-backoff', 'unless baseIntervalMs or maxIntervalMs is 0 (defaults 25 and 250)'],
    ['retry-budget', 'with "budget"'],
    ['retry-on-reset', 'with "reset" or "timeout" in "retryOn"'],
    ['retry-on-status', 'with a status in "retryOn"'],
    ['retry-non-idempotent', 'with "retryNonIdempotent": true'],
  ],
  'pools.*.hashKey': [
    ['consistent-hash', 'always'],
    ...Object.entries(hashKeySources).map(([from, capability]) => [capability, `"from": "${from}"`] as const),
  ],
  'pools.*.hashMethod': [
    ['consistent-hash', '"ring"'],
    ['maglev', '"maglev"'],
  ],
  'pools.*.healthCheck': [
    ['active-health-checks', 'always'],
    [
      'health-check-thresholds',
      'unless unhealthyThreshold and healthyThreshold are both 1 (defaults 3 and 2)',
    ],
    ['tcp-health-checks', 'with "type": "tcp"'],
  ],
};

/**
 * The config fields that need each capability, as "path" or "path (when)" lines: the rules
 * table turned around, for the docs.
 */
export function fieldsByCapability(): Map<Capability, string[]> {
  const fields = new Map<Capability, string[]>();
  const add = (capability: Capability, line: string) =>
    fields.set(capability, [...(fields.get(capability) ?? []), line]);
  for (const [path, rule] of Object.entries(rules)) {
    if (typeof rule === 'function') {
      const documented = valueDependentRules[path];
      if (!documented) throw new Error(`rule ${path} depends on its value but valueDependentRules omits it`);
      for (const [capability, when] of documented) add(capability, `${path} (${when})`);
      continue;
    }
    for (const requirement of rule) {
      if (typeof requirement === 'string') add(requirement, path);
      else
        for (const capability of requirement)
          add(capability, `${path} (or ${requirement.filter((c) => c !== capability).join(', ')})`);
    }
  }
  return fields;
}

/** Every requirement `config` makes, with the field it comes from. */
export function configRequirements(config: ConfigDocument): FieldUse[] {
  const uses: FieldUse[] = [];
  const visit = (value: unknown, path: FieldPath, pointer: string, holder: Record<string, unknown>) => {
    const own = Object.hasOwn(rules, path) ? rules[path] : undefined;
    if (own === undefined && !coveredAbove(path)) {
      throw new Error(
        `the capability audit has no rule for config field ${pointer} (${path}): add one to harness/spec/config-capabilities.ts`,
      );
    }
    if (own !== undefined) {
      const requirements = typeof own === 'function' ? own({ value, holder }) : own;
      for (const requirement of requirements) uses.push({ requirement, pointer });
    }
    if (Array.isArray(value)) {
      value.forEach((item, index) => {
        visit(item, `${path}[]`, `${pointer}/${index}`, holder);
      });
    } else if (value !== null && typeof value === 'object') {
      const object = value as Record<string, unknown>;
      for (const [key, child] of Object.entries(object)) {
        const childPath = path === 'pools' ? 'pools.*' : path === '' ? key : `${path}.${key}`;
        visit(child, childPath, `${pointer}/${escapePointer(key)}`, object);
      }
    }
  };
  visit(config, '', '', {});
  return uses;
}

// A field is covered by the nearest rule above it that names requirements (its whole subtree).
function coveredAbove(path: FieldPath): boolean {
  if (path === '') return true;
  for (let at = parentOf(path); at !== undefined; at = parentOf(at)) {
    const rule = rules[at];
    if (rule !== undefined) return rule !== none;
  }
  return false;
}

function parentOf(path: FieldPath): FieldPath | undefined {
  if (path === '') return undefined;
  if (path.endsWith('[]')) return path.slice(0, -2);
  const dot = path.lastIndexOf('.');
  return dot < 0 ? '' : path.slice(0, dot);
}

function escapePointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** How the harness hands a balancer its config: the reload mode is a requirement too. */
export type ConfigHandOver = 'start' | 'reload' | 'reload-under-traffic';

/**
 * The requirements `config` makes that `declared` does not meet, as lines for an error message.
 * A reload under continuous traffic needs hitless-reload: a balancer that restarts drops what is in
 * flight.
 */
export function undeclaredRequirements(
  config: ConfigDocument,
  handOver: ConfigHandOver,
  declared: ReadonlySet<string>,
): string[] {
  const uses = configRequirements(config);
  if (handOver === 'reload-under-traffic') uses.push({ requirement: 'hitless-reload', pointer: '(reload)' });
  const missing = new Map<string, string[]>();
  for (const { requirement, pointer } of uses) {
    const options = typeof requirement === 'string' ? [requirement] : requirement;
    if (options.some((capability) => declared.has(capability))) continue;
    const label = options.map((capability) => `@${capability}`).join(' or ');
    missing.set(label, [...(missing.get(label) ?? []), pointer]);
  }
  return [...missing].map(([label, pointers]) => `${label} (for ${pointers.join(', ')})`);
}

/** A scenario whose config needs a capability its tags do not declare: a fault of the suite. */
export class UndeclaredCapabilityError extends Error {
  readonly code = 'LBSPEC_UNDECLARED_CAPABILITY';
  constructor(readonly missing: readonly string[]) {
    super(
      `suite error: this scenario's config needs capabilities its tags do not declare, so a balancer that lacks them would be failed instead of reported unsupported. Add to the scenario: ${missing.join('; ')}`,
    );
  }
}
