import type { HashKey } from '../config/types.ts';
import type { KeyOf } from '../pools.ts';
import { splitTarget } from './rewrite.ts';

/** What a key may be taken from. */
export interface KeyedRequest {
  readonly target: string;
  readonly clientAddress: string | undefined;
  readonly clientPort?: number | undefined;
  /** Header values by lowercased name (repeated headers joined with ", "). */
  readonly header: (name: string) => string | undefined;
}

/** A request's consistent-hash key for a pool's hashKey; undefined when the request lacks it. */
export function keyOf(request: KeyedRequest, tooBroad = false): KeyOf {
  return (hashKey: HashKey) => {
    // Stryker disable next-line ConditionalExpression: a broken balancer's defect, never on in a correct run
    if (tooBroad) return tooBroadKey(request, hashKey);
    switch (hashKey.from) {
      case 'header':
        return request.header(hashKey.name.toLowerCase());
      case 'cookie':
        return cookieValue(request.header('cookie'), hashKey.name);
      case 'query':
        return queryValue(splitTarget(request.target).query, hashKey.name);
      case 'client-ip':
        return request.clientAddress;
      case 'path':
        return splitTarget(request.target).path;
    }
  };
}

// The hash-key-misread broken balancer's reading: more than the key.
// Stryker disable all: a broken balancer's defect, never on in a correct run
function tooBroadKey(request: KeyedRequest, hashKey: HashKey): string | undefined {
  if (hashKey.from === 'cookie') return request.header('cookie');
  if (hashKey.from === 'query') return splitTarget(request.target).query;
  if (hashKey.from === 'path') return request.target;
  if (hashKey.from === 'client-ip') return `${request.clientAddress}:${request.clientPort}`;
  return 'name' in hashKey ? request.header(hashKey.name.toLowerCase()) : undefined;
}
// Stryker restore all

/** The value of cookie `name` in a Cookie header, as sent; the first when it repeats. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const pair of header?.split(';') ?? []) {
    const equals = pair.indexOf('=');
    if (equals > 0 && pair.slice(0, equals).trim() === name) return pair.slice(equals + 1).trim();
  }
  return undefined;
}

// The value of parameter `name` in "?a=1&b=2", as sent (not decoded); the first when it repeats.
function queryValue(query: string, name: string): string | undefined {
  for (const pair of query.slice(1).split('&')) {
    const equals = pair.indexOf('=');
    if ((equals < 0 ? pair : pair.slice(0, equals)) === name) return equals < 0 ? '' : pair.slice(equals + 1);
  }
  return undefined;
}
