import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import schema from '../../../schema/config.v1.schema.json' with { type: 'json' };
import { parseAddress } from './address.ts';
import { validate as generatedShapeCheck } from './config-shape.generated.ts';
import {
  backendDefaults,
  circuitBreakerDefaults,
  healthCheckDefaults,
  listenerTlsDefaults,
  outlierDetectionDefaults,
  poolDefaults,
  rateLimitDefaults,
  rateLimitStoreDefaults,
  retryBudgetDefaults,
  retryDefaults,
  stickySessionDefaults,
  timeoutDefaults,
} from './defaults.ts';
import type {
  BalancerConfig,
  ConfigDocument,
  ListenerConfig,
  PoolConfig,
  PoolDocument,
  RateLimitConfig,
  RateLimitDocument,
  RetriesDocument,
  RetryConfig,
  RouteConfig,
  RouteDocument,
} from './types.ts';

/** One thing wrong with a config: where (a JSON pointer), what, and how to fix it. */
export interface ConfigIssue {
  readonly pointer: string;
  readonly message: string;
  readonly fix: string;
}

export type Validation =
  | { readonly ok: true; readonly config: BalancerConfig }
  | { readonly ok: false; readonly issues: readonly ConfigIssue[] };

/** The published JSON Schema of config version 1 (imported, so a bundled balancer carries it). */
export const configSchema = schema as Record<string, unknown>;

// Compiled ahead of time from the schema (shape-module.ts); a unit test keeps the two in step.
const checkShape = generatedShapeCheck as unknown as ValidateFunction;

const addressShape = new RegExp((configSchema.$defs as { address: { pattern: string } }).address.pattern);

/** Checks a parsed document against the schema and the rules a schema cannot say; lists every issue. */
export function validateConfig(document: unknown): Validation {
  const shapeValid = checkShape(document);
  // Errors about a property's name come twice: once from the name's own schema, once summed up by
  // propertyNames. Keep the summary, which points at the name.
  const schemaErrors = shapeValid
    ? []
    : (checkShape.errors ?? []).filter((error) => error.propertyName === undefined);
  // Cross references are checked even when the shape is wrong, so one run lists every problem.
  const issues = [...schemaErrors.map(describeSchemaError), ...crossReferenceIssues(document)];
  if (issues.length > 0) return { ok: false, issues: sortIssues(issues) };
  return { ok: true, config: withDefaults(document as ConfigDocument) };
}

/** Escapes one JSON pointer segment (RFC 6901). */
export function pointerSegment(segment: string | number): string {
  return String(segment).replaceAll('~', '~0').replaceAll('/', '~1');
}

function poolWithDefaults(name: string, pool: PoolDocument): PoolConfig {
  return {
    name,
    algorithm: pool.algorithm ?? poolDefaults.algorithm,
    backends: pool.backends.map((backend) => ({ ...backendDefaults, ...backend })),
    ...(pool.healthCheck ? { healthCheck: { ...healthCheckDefaults, ...pool.healthCheck } } : {}),
    ...(pool.outlierDetection
      ? { outlierDetection: { ...outlierDetectionDefaults, ...pool.outlierDetection } }
      : {}),
    ...(pool.retries ? { retries: retriesWithDefaults(pool.retries) } : {}),
    timeouts: { ...timeoutDefaults, ...(pool.timeouts ?? poolDefaults.timeouts) },
    ...(pool.circuitBreaker ? { circuitBreaker: { ...circuitBreakerDefaults, ...pool.circuitBreaker } } : {}),
    panicThresholdPercent: pool.panicThresholdPercent ?? poolDefaults.panicThresholdPercent,
    ...(pool.backupPool ? { backupPool: pool.backupPool } : {}),
    ...(pool.hashKey ? { hashKey: pool.hashKey } : {}),
    ...(pool.hashBalanceFactor !== undefined ? { hashBalanceFactor: pool.hashBalanceFactor } : {}),
    hashMethod: pool.hashMethod ?? poolDefaults.hashMethod,
    ...(pool.stickySession ? { stickySession: { ...stickySessionDefaults, ...pool.stickySession } } : {}),
    ...(pool.tls ? { tls: pool.tls } : {}),
    http2: pool.http2 ?? poolDefaults.http2,
  };
}

function retriesWithDefaults({ budget, ...retries }: RetriesDocument): RetryConfig {
  return {
    ...retryDefaults,
    ...retries,
    ...(budget ? { budget: { ...retryBudgetDefaults, ...budget } } : {}),
  };
}

function withDefaults(raw: ConfigDocument): BalancerConfig {
  const pools: Record<string, PoolConfig> = {};
  for (const [name, pool] of Object.entries(raw.pools)) pools[name] = poolWithDefaults(name, pool);
  const listeners = raw.listeners.map(
    ({ rateLimit, routes, tls, http2, ...listener }): ListenerConfig => ({
      ...listener,
      http2: http2 ?? false,
      ...(rateLimit ? { rateLimit: rateLimitWithDefaults(rateLimit) } : {}),
      ...(routes ? { routes: routes.map(routeWithDefaults) } : {}),
      ...(tls ? { tls: { ...listenerTlsDefaults, ...tls } } : {}),
    }),
  );
  const admin = raw.admin && { ...raw.admin, address: withLoopbackDefault(raw.admin.address) };
  return { version: 1, ...(admin ? { admin } : {}), listeners, pools };
}

function routeWithDefaults({ rateLimit, ...route }: RouteDocument): RouteConfig {
  return { ...route, ...(rateLimit ? { rateLimit: rateLimitWithDefaults(rateLimit) } : {}) };
}

// A bare port means loopback: the admin endpoint is not reachable from elsewhere unless asked.
function withLoopbackDefault(address: string): string {
  return /^[0-9]+$/.test(address) ? `127.0.0.1:${address}` : address;
}

// A rate limit with the schema's defaults (any field but the two required may be absent).
function rateLimitWithDefaults(written: RateLimitDocument): RateLimitConfig {
  const key = written.key ?? rateLimitDefaults.key;
  return {
    name: written.name ?? rateLimitDefaults.name,
    key:
      key.from === 'header' ? { ...key, whenMissing: key.whenMissing ?? rateLimitDefaults.whenMissing } : key,
    capacity: written.capacity,
    refillPerSecond: written.refillPerSecond,
    overrides: written.overrides ?? rateLimitDefaults.overrides,
    trustedProxies: written.trustedProxies ?? rateLimitDefaults.trustedProxies,
    maxKeys: written.maxKeys ?? rateLimitDefaults.maxKeys,
    ...(written.store ? { store: { ...rateLimitStoreDefaults, ...written.store } } : {}),
  };
}

/** The objects of an array or record with their JSON pointer keys; anything else yields nothing. */
function entries(value: unknown): [string, Record<string, unknown>][] {
  if (typeof value !== 'object' || value === null) return [];
  const pairs: [string, unknown][] = Array.isArray(value)
    ? value.map((item, i) => [String(i), item])
    : Object.entries(value);
  return pairs.filter(
    (pair): pair is [string, Record<string, unknown>] => typeof pair[1] === 'object' && pair[1] !== null,
  );
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Rules a schema cannot state: unique names, ids and addresses, known pools, port ranges. */
/** 127.0.0.0/8, ::1 and localhost: addresses only this machine reaches. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function crossReferenceIssues(document: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const root = (typeof document === 'object' && document !== null ? document : {}) as Record<string, unknown>;
  const poolNames = entries(root.pools).map(([name]) => name);
  const addressOwners = new Map<string, string>();
  const checkPort = (address: string | undefined, pointer: string): void => {
    // A wrong shape is the schema's to report; of the right shape, only the port's range is left.
    if (address !== undefined && addressShape.test(address) && !parseAddress(address)) {
      issues.push({
        pointer,
        message: `port of "${address}" is out of range`,
        fix: 'use a port from 1 to 65535',
      });
    }
  };
  const claimAddress = (address: string | undefined, pointer: string): void => {
    checkPort(address, pointer);
    if (address === undefined) return;
    const owner = addressOwners.get(address);
    if (owner) {
      issues.push({
        pointer,
        message: `address ${address} is already used by ${owner}`,
        fix: 'give every listener and the admin endpoint an address of its own',
      });
    } else addressOwners.set(address, pointer);
  };
  const admin = root.admin as Record<string, unknown> | undefined;
  const adminAddress = text(admin?.address);
  claimAddress(adminAddress && withLoopbackDefault(adminAddress), '/admin/address');
  const adminHost = adminAddress && parseAddress(withLoopbackDefault(adminAddress))?.host;
  if (adminHost !== undefined && !isLoopback(adminHost) && admin?.token === undefined) {
    issues.push({
      pointer: '/admin/address',
      message: `the admin endpoint on ${adminAddress} would answer anyone who can reach it`,
      fix: 'add "token" to /admin (clients then send Authorization: Bearer <token>), or bind it to loopback, e.g. "127.0.0.1:9901"',
    });
  }

  const listenerNames = new Set<string>();
  // Pools a TCP listener balances over: their only possible hash key is the client's address.
  const tcpPools = new Set(
    entries(Array.isArray(root.listeners) ? root.listeners : [])
      .filter(([, listener]) => listener.protocol === 'tcp')
      .flatMap(([, listener]) => [
        text(listener.pool),
        ...entries(Array.isArray(listener.sniRoutes) ? listener.sniRoutes : []).map(([, route]) =>
          text(route.pool),
        ),
      ]),
  );
  for (const [index, listener] of entries(Array.isArray(root.listeners) ? root.listeners : [])) {
    const at = `/listeners/${index}`;
    const name = text(listener.name);
    if (name !== undefined && listenerNames.has(name)) {
      issues.push({
        pointer: `${at}/name`,
        message: `listener name "${name}" is used twice`,
        fix: 'give each listener a unique name',
      });
    }
    if (name !== undefined) listenerNames.add(name);
    claimAddress(text(listener.address), `${at}/address`);
    const unknownPool = (pool: string | undefined, pointer: string): void => {
      if (pool === undefined || poolNames.includes(pool)) return;
      issues.push({
        pointer,
        message: `pool "${pool}" is not defined`,
        fix: `name one of the pools: ${poolNames.map((known) => `"${known}"`).join(', ') || '(none defined)'}, or add it under /pools`,
      });
    };
    unknownPool(text(listener.pool), `${at}/pool`);
    issues.push(...routeIssues(listener, at, unknownPool), ...tlsIssues(listener, at));
    for (const [routeIndex, route] of entries(Array.isArray(listener.sniRoutes) ? listener.sniRoutes : []))
      unknownPool(text(route.pool), `${at}/sniRoutes/${routeIndex}/pool`);
    if (listener.http2 === true && listener.protocol === 'tcp') {
      issues.push({
        pointer: `${at}/http2`,
        message: 'a TCP listener relays bytes and speaks no HTTP/2 of its own',
        fix: 'remove "http2", or make the listener "http"',
      });
    }
    if (listener.sniRoutes !== undefined && listener.protocol !== 'tcp') {
      issues.push({
        pointer: `${at}/sniRoutes`,
        message: 'an HTTP listener cannot pass TLS through by server name',
        fix: 'make the listener "tcp", or route by host with "routes" (and "tls" to terminate)',
      });
    }
    const limits = (listener.limits ?? {}) as Record<string, unknown>;
    const { headerTimeoutMs, requestTimeoutMs } = limits;
    if (
      typeof headerTimeoutMs === 'number' &&
      typeof requestTimeoutMs === 'number' &&
      requestTimeoutMs < headerTimeoutMs
    ) {
      issues.push({
        pointer: `${at}/limits/requestTimeoutMs`,
        message: `the whole request is given ${requestTimeoutMs} ms, less than its headers alone (headerTimeoutMs ${headerTimeoutMs})`,
        fix: 'make requestTimeoutMs at least headerTimeoutMs, or leave one of them out',
      });
    }
  }

  for (const [poolName, pool] of entries(root.pools)) {
    const ids = new Set<string>();
    for (const [index, backend] of entries(Array.isArray(pool.backends) ? pool.backends : [])) {
      const at = `/pools/${pointerSegment(poolName)}/backends/${index}`;
      const id = text(backend.id);
      if (id !== undefined && ids.has(id)) {
        issues.push({
          pointer: `${at}/id`,
          message: `backend id "${id}" is used twice in pool "${poolName}"`,
          fix: 'give each backend of a pool a unique id',
        });
      }
      if (id !== undefined) ids.add(id);
      checkPort(text(backend.address), `${at}/address`);
    }
    issues.push(...backupPoolIssues(poolName, pool, root.pools as Record<string, unknown>, poolNames));
    issues.push(...hashKeyIssues(poolName, pool, tcpPools), ...upstreamTlsIssues(poolName, pool, tcpPools));
  }
  return issues;
}

/** TLS to backends is for pools HTTP listeners use, with a CA certificate that can be read. */
function upstreamTlsIssues(
  poolName: string,
  pool: Record<string, unknown>,
  tcpPools: ReadonlySet<string | undefined>,
): ConfigIssue[] {
  const tls = pool.tls as { ca?: unknown } | undefined;
  if (tls === undefined) return [];
  const at = `/pools/${pointerSegment(poolName)}/tls`;
  if (tcpPools.has(poolName)) {
    return [
      {
        pointer: at,
        message: `pool "${poolName}" speaks TLS to its backends, but a TCP listener balances over it`,
        fix: 'give the TCP listener a pool of its own without "tls" (a TCP listener relays bytes as they are)',
      },
    ];
  }
  if (typeof tls.ca !== 'string') return [];
  try {
    new X509Certificate(tls.ca);
    return [];
  } catch (error) {
    return [
      {
        pointer: `${at}/ca`,
        message: `the CA certificate cannot be read: ${(error as Error).message}`,
        fix: 'give the PEM text of the CA certificates ("-----BEGIN CERTIFICATE-----" ...), with its line breaks as \\n',
      },
    ];
  }
}

/** TLS is for HTTP listeners, with a certificate and key that can be read and belong together. */
function tlsIssues(listener: Record<string, unknown>, at: string): ConfigIssue[] {
  const tls = listener.tls as { certificate?: unknown; key?: unknown; sni?: unknown } | undefined;
  if (tls === undefined) return [];
  if (listener.protocol === 'tcp') {
    return [
      {
        pointer: `${at}/tls`,
        message: 'a TCP listener cannot terminate TLS',
        fix: 'remove "tls", or make the listener "http"',
      },
    ];
  }
  const issues = certifiedKeyIssues(tls, `${at}/tls`);
  for (const [index, entry] of entries(Array.isArray(tls.sni) ? tls.sni : [])) {
    const pointer = `${at}/tls/sni/${index}`;
    const found = certifiedKeyIssues(entry, pointer);
    issues.push(...found);
    if (found.length > 0 || typeof entry.certificate !== 'string') continue;
    // A certificate without a DNS name is never chosen by SNI.
    if (!/DNS:/.test(new X509Certificate(entry.certificate).subjectAltName ?? '')) {
      issues.push({
        pointer: `${pointer}/certificate`,
        message: 'the certificate names no DNS name (subjectAltName), so no client can ever be given it',
        fix: 'give a certificate issued for the names clients ask for, or remove the entry',
      });
    }
  }
  return issues;
}

/** A certificate and key (at `at`) that can be read and belong together. */
function certifiedKeyIssues(pair: { certificate?: unknown; key?: unknown }, at: string): ConfigIssue[] {
  if (typeof pair.certificate !== 'string' || typeof pair.key !== 'string') return [];
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pair.certificate);
  } catch (error) {
    return [
      {
        pointer: `${at}/certificate`,
        message: `the certificate cannot be read: ${(error as Error).message}`,
        fix: 'give the PEM text itself ("-----BEGIN CERTIFICATE-----" ...), with its line breaks as \\n',
      },
    ];
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pair.key);
  } catch (error) {
    return [
      {
        pointer: `${at}/key`,
        message: `the private key cannot be read: ${(error as Error).message}`,
        fix: 'give the unencrypted PEM text of the key ("-----BEGIN PRIVATE KEY-----" ...), with its line breaks as \\n',
      },
    ];
  }
  if (certificate.checkPrivateKey(key)) return [];
  return [
    {
      pointer: `${at}/key`,
      message: `the private key does not belong to the certificate (${certificate.subject.replaceAll('\n', ', ')})`,
      fix: 'give the key the certificate was issued for, or the certificate of this key',
    },
  ];
}

/** A listener needs a pool or routes; routes are HTTP only, uniquely named, with pools and regexes that exist. */
function routeIssues(
  listener: Record<string, unknown>,
  at: string,
  unknownPool: (pool: string | undefined, pointer: string) => void,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const routes = Array.isArray(listener.routes) ? listener.routes : undefined;
  if (listener.pool === undefined && routes === undefined && listener.sniRoutes === undefined) {
    issues.push({
      pointer: `${at}/pool`,
      message: 'the listener has neither a pool nor routes',
      fix: 'add "pool" (the pool it balances over) or "routes"',
    });
  }
  if (listener.rateLimit !== undefined && listener.protocol === 'tcp') {
    issues.push({
      pointer: `${at}/rateLimit`,
      message: 'a TCP listener cannot rate-limit requests',
      fix: 'remove "rateLimit", or make the listener "http"',
    });
  }
  if (routes !== undefined && listener.protocol === 'tcp') {
    issues.push({
      pointer: `${at}/routes`,
      message: 'a TCP listener cannot route by content',
      fix: 'remove "routes" and name a "pool", or make the listener "http"',
    });
  }
  const names = new Set<string>();
  for (const [index, route] of entries(routes ?? [])) {
    const name = text(route.name);
    if (name !== undefined && names.has(name)) {
      issues.push({
        pointer: `${at}/routes/${index}/name`,
        message: `route name "${name}" is used twice`,
        fix: 'give each route of a listener a unique name (ties in precedence are broken by name)',
      });
    }
    if (name !== undefined) names.add(name);
    issues.push(...routeActionIssues(route, `${at}/routes/${index}`, unknownPool));
    const match = (route.match ?? {}) as Record<string, unknown>;
    for (const [headerIndex, header] of entries(match.headers)) {
      const regex = text(header.regex);
      if (regex === undefined) continue;
      try {
        new RegExp(regex);
      } catch (error) {
        issues.push({
          pointer: `${at}/routes/${index}/match/headers/${headerIndex}/regex`,
          message: `not a valid regular expression: ${(error as Error).message}`,
          fix: 'write a JavaScript regular expression; it must match the whole header value',
        });
      }
    }
  }
  return issues;
}

// Headers a route may not change: the balancer owns framing and hop-by-hop headers, and Host has
// its own rule (rewrite.host) so that X-Forwarded-Host stays right.
const headersNoRuleMayTouch = new Set([
  'connection',
  'content-length',
  'host',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** A route does exactly one thing (pool, split or redirect), and its changes fit what it matches. */
function routeActionIssues(
  route: Record<string, unknown>,
  at: string,
  unknownPool: (pool: string | undefined, pointer: string) => void,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const actions = ['pool', 'split', 'redirect'].filter((action) => route[action] !== undefined);
  if (actions.length !== 1) {
    issues.push({
      pointer: actions.length === 0 ? at : `${at}/${actions[1]}`,
      message:
        actions.length === 0
          ? 'the route says nothing about where matched requests go'
          : `the route has both "${actions[0]}" and "${actions[1]}"`,
      fix: 'give exactly one of "pool" (a pool), "split" (pools by weight) or "redirect"',
    });
  }
  unknownPool(text(route.pool), `${at}/pool`);
  const split = Array.isArray(route.split) ? (route.split as Record<string, unknown>[]) : [];
  for (const [index, share] of split.entries()) unknownPool(text(share.pool), `${at}/split/${index}/pool`);
  if (split.length > 0 && split.every((share) => share.weight === 0)) {
    issues.push({
      pointer: `${at}/split`,
      message: 'every weight of the split is 0, so no request could go anywhere',
      fix: 'give at least one pool a positive weight',
    });
  }
  if (route.redirect !== undefined) {
    for (const upstreamOnly of ['rewrite', 'requestHeaders'].filter((key) => route[key] !== undefined)) {
      issues.push({
        pointer: `${at}/${upstreamOnly}`,
        message: `a redirect sends nothing upstream, so "${upstreamOnly}" would have no effect`,
        fix: `remove "${upstreamOnly}"; a redirect changes the path with its own "path" or "prefix"`,
      });
    }
  }
  const match = (route.match ?? {}) as { path?: Record<string, unknown> };
  for (const key of ['rewrite', 'redirect']) {
    const change = route[key] as Record<string, unknown> | undefined;
    if (change?.path !== undefined && change.prefix !== undefined) {
      issues.push({
        pointer: `${at}/${key}/prefix`,
        message: `"${key}" has both "path" and "prefix"`,
        fix: 'give "path" to replace the whole path, or "prefix" to replace the matched prefix',
      });
    }
    if (change?.prefix !== undefined && match.path?.prefix === undefined) {
      issues.push({
        pointer: `${at}/${key}/prefix`,
        message: `"${key}.prefix" replaces the prefix the route matched, but the route matches no path prefix`,
        fix: 'match with "path": { "prefix": ... }, or use "path" to replace the whole path',
      });
    }
  }
  for (const key of ['requestHeaders', 'responseHeaders']) {
    const rules = (route[key] ?? {}) as Record<string, unknown>;
    const named = [
      ...(Array.isArray(rules.remove) ? (rules.remove as unknown[]).map(String) : []),
      ...Object.keys((rules.set ?? {}) as object),
      ...Object.keys((rules.add ?? {}) as object),
    ];
    for (const name of named.filter((header) => headersNoRuleMayTouch.has(header.toLowerCase()))) {
      issues.push({
        pointer: `${at}/${key}`,
        message: `header "${name}" belongs to the balancer (framing, hop-by-hop or Host) and cannot be changed by a rule`,
        fix:
          name.toLowerCase() === 'host'
            ? 'use "rewrite": { "host": ... } to change the Host the backend sees'
            : `remove "${name}" from the rule`,
      });
    }
  }
  return issues;
}

/** consistent_hash needs a key, only it uses one, and a TCP connection has only its client's address. */
function hashKeyIssues(
  poolName: string,
  pool: Record<string, unknown>,
  tcpPools: ReadonlySet<string | undefined>,
): ConfigIssue[] {
  const at = `/pools/${pointerSegment(poolName)}`;
  const hashKey = pool.hashKey as { from?: unknown } | undefined;
  if (pool.algorithm === 'consistent_hash' && hashKey === undefined) {
    return [
      {
        pointer: `${at}/hashKey`,
        message: 'consistent_hash needs to know what to hash',
        fix: 'add "hashKey", e.g. { "from": "header", "name": "X-User-Id" } or { "from": "client-ip" }',
      },
    ];
  }
  for (const setting of ['hashBalanceFactor', 'hashMethod']) {
    if (pool[setting] !== undefined && pool.algorithm !== 'consistent_hash') {
      return [
        {
          pointer: `${at}/${setting}`,
          message: `"${setting}" belongs to consistent_hash, and has no effect with algorithm ${JSON.stringify(pool.algorithm ?? 'round_robin')}`,
          fix: `set "algorithm": "consistent_hash", or remove "${setting}"`,
        },
      ];
    }
  }
  if (hashKey !== undefined && pool.algorithm !== 'consistent_hash') {
    return [
      {
        pointer: `${at}/hashKey`,
        message: `"hashKey" has no effect with algorithm ${JSON.stringify(pool.algorithm ?? 'round_robin')}`,
        fix: 'set "algorithm": "consistent_hash", or remove "hashKey"',
      },
    ];
  }
  if (hashKey !== undefined && hashKey.from !== 'client-ip' && tcpPools.has(poolName)) {
    return [
      {
        pointer: `${at}/hashKey/from`,
        message: `a TCP listener balances over this pool, and a connection has no ${String(hashKey.from)} to hash`,
        fix: 'use { "from": "client-ip" }, or a separate pool for the TCP listener',
      },
    ];
  }
  return [];
}

function backupPoolIssues(
  poolName: string,
  pool: Record<string, unknown>,
  pools: Record<string, unknown>,
  poolNames: readonly string[],
): ConfigIssue[] {
  const backup = text(pool.backupPool);
  if (backup === undefined) return [];
  const pointer = `/pools/${pointerSegment(poolName)}/backupPool`;
  if (!poolNames.includes(backup)) {
    return [
      {
        pointer,
        message: `pool "${backup}" is not defined`,
        fix: `name one of the other pools: ${
          poolNames
            .filter((known) => known !== poolName)
            .map((known) => `"${known}"`)
            .join(', ') || '(none defined)'
        }, or add it under /pools`,
      },
    ];
  }
  if (backup === poolName) {
    return [{ pointer, message: `pool "${poolName}" names itself as its backup`, fix: 'name another pool' }];
  }
  const ofBackup = text((pools[backup] as Record<string, unknown> | undefined)?.backupPool);
  if (ofBackup !== undefined) {
    return [
      {
        pointer,
        message: `backup pool "${backup}" has a backup pool of its own ("${ofBackup}")`,
        fix: `remove /pools/${pointerSegment(backup)}/backupPool: backups do not chain`,
      },
    ];
  }
  return [];
}

function describeSchemaError(error: ErrorObject): ConfigIssue {
  const parent = (error.parentSchema ?? {}) as { description?: string; properties?: Record<string, unknown> };
  const at = error.instancePath;
  switch (error.keyword) {
    case 'required': {
      const missing = String(error.params.missingProperty);
      return {
        pointer: `${at}/${pointerSegment(missing)}`,
        message: `"${missing}" is required`,
        fix: `add "${missing}"${describeProperty(parent, missing)}`,
      };
    }
    case 'additionalProperties': {
      const unknown = String(error.params.additionalProperty);
      const known = Object.keys(parent.properties ?? {});
      const guess = closestName(unknown, known);
      return {
        pointer: `${at}/${pointerSegment(unknown)}`,
        message: `unknown property "${unknown}"`,
        fix: guess
          ? `did you mean "${guess}"? Allowed here: ${known.join(', ')}`
          : `remove it; allowed here: ${known.join(', ')}`,
      };
    }
    case 'propertyNames':
      return {
        pointer: `${at}/${pointerSegment(String(error.params.propertyName))}`,
        message: `"${String(error.params.propertyName)}" is not a valid name`,
        fix: 'use 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit',
      };
    case 'enum':
      return {
        pointer: at,
        message: `${JSON.stringify(error.data)} is not allowed`,
        fix: `use one of: ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    case 'const':
      return {
        pointer: at,
        message: `${JSON.stringify(error.data)} is not allowed`,
        fix: `use ${JSON.stringify(error.params.allowedValue)}`,
      };
    case 'type':
      return {
        pointer: at,
        message: `must be ${articleFor(String(error.params.type))}, got ${describeType(error.data)}`,
        fix: parent.description ?? `write it as ${articleFor(String(error.params.type))}`,
      };
    case 'pattern':
      return {
        pointer: at,
        message: `${JSON.stringify(error.data)} is not in the expected form`,
        fix: parent.description ?? `match ${String(error.params.pattern)}`,
      };
    default:
      return {
        pointer: at,
        message: `${JSON.stringify(error.data)} ${error.message ?? 'is invalid'}`,
        fix: parent.description ?? 'see schema/config.v1.schema.json',
      };
  }
}

function describeProperty(parent: { properties?: Record<string, unknown> }, name: string): string {
  const property = parent.properties?.[name] as { description?: string } | undefined;
  return property?.description ? ` (${property.description})` : '';
}

function articleFor(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return articleFor(typeof value);
}

/** The known name within edit distance 2 of `name`, if exactly one is closest. */
function closestName(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  return issues.sort((a, b) => a.pointer.localeCompare(b.pointer));
}
