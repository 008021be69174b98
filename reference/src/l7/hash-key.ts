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
export function keyOf(request: KeyedRequest): KeyOf {
  return (hashKey: HashKey) => {
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
