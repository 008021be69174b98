import type { ListenerDocument, RouteDocument } from '../spec/config-document.ts';
import { escapeRegex, inPrecedenceOrder, pathPattern, pathSegments } from './route-order.ts';

/**
 * An HTTP listener's routes in nginx terms. nginx picks a location by rules of its own (exact, then
 * longest string prefix, so /api also takes /apix, then regexes in order) and sees headers and
 * query parameters only through variables, so the routes become one map instead: its key joins
 * everything a route looks at, "$host|$request_method|$request_uri|$args|<headers>|", and its
 * regexes, checked in the order written, come in the spec's precedence order. The winner's name
 * then chooses the pool (through split_clients for a split), the target sent upstream (raw, so a
 * rewrite keeps percent-encoding), the Host, and a redirect.
 * Known differences: a "|" in the query string or a header confuses the key; a present header must
 * have a value; query values are compared as sent, not decoded. Header rules are not translated.
 */
export interface NginxRoutes {
  /** Maps and split_clients for the http block. */
  readonly httpLines: string[];
  /** Redirects, for the server block (return is safe inside if there). */
  readonly serverLines: string[];
  /** The location's proxying, replacing proxy_pass and Host. */
  readonly locationLines: string[];
  /** The pools it sends to. */
  readonly pools: string[];
}

export function nginxRoutes(listener: ListenerDocument): NginxRoutes {
  const routes = inPrecedenceOrder(listener.routes ?? []);
  for (const route of routes) {
    if (route.requestHeaders || route.responseHeaders)
      throw new Error(`nginx adapter: route "${route.name}" has header rules, which it does not translate`);
  }
  const id = listener.name.replace(/[^A-Za-z0-9_]/g, '_');
  const route = `$lbspec_route_${id}`;
  const headerNames = [
    ...new Set(routes.flatMap((r) => (r.match.headers ?? []).map((h) => h.name.toLowerCase()))),
  ];
  const key = [
    '$host',
    '$request_method',
    '$request_uri',
    '$args',
    ...headerNames.map(headerVariable),
    '',
  ].join('|');
  const pools = new Set<string>(listener.pool === undefined ? [] : [listener.pool]);
  const httpLines = [
    `  map "${key}" ${route} {`,
    '    default "";',
    ...routes.map((r) => `    "~${matchRegex(r, headerNames)}" ${r.name};`),
    '  }',
    `  map ${route} $lbspec_pool_${id} {`,
    `    default "${listener.pool === undefined ? '' : `http_${listener.pool}`}";`,
  ];
  const splits: string[] = [];
  for (const r of routes) {
    if (r.pool !== undefined) {
      pools.add(r.pool);
      httpLines.push(`    ${r.name} http_${r.pool};`);
    } else if (r.split) {
      httpLines.push(`    ${r.name} $lbspec_split_${id}_${variableSafe(r.name)};`);
      splits.push(...splitLines(`$lbspec_split_${id}_${variableSafe(r.name)}`, r.split));
      for (const share of r.split) pools.add(share.pool);
    }
  }
  httpLines.push('  }', ...splits);
  // The target: a rewritten path with the query string as sent, or the request URI untouched.
  const uriKey = `"${route}|$request_uri"`;
  httpLines.push(`  map ${uriKey} $lbspec_target_${id} {`, '    default $request_uri;');
  for (const r of routes) {
    if (r.rewrite?.path !== undefined)
      httpLines.push(`    "~^${r.name}\\|[^?]*(?<lbquery>\\?.*)?$" ${r.rewrite.path}$lbquery;`);
    if (r.rewrite?.prefix !== undefined) httpLines.push(`    ${prefixEntry(r, r.rewrite.prefix, '')}`);
  }
  httpLines.push('  }', `  map ${route} $lbspec_host_${id} {`, '    default $http_host;');
  for (const r of routes)
    if (r.rewrite?.host !== undefined) httpLines.push(`    ${r.name} "${r.rewrite.host}";`);
  httpLines.push('  }');
  const serverLines: string[] = [];
  const redirects = routes.filter((r) => r.redirect);
  if (redirects.length > 0) {
    httpLines.push(`  map ${uriKey} $lbspec_location_${id} {`, '    default "";');
    for (const r of redirects) {
      const redirect = r.redirect as NonNullable<RouteDocument['redirect']>;
      const changesAuthority =
        redirect.scheme !== undefined || redirect.host !== undefined || redirect.port !== undefined;
      const authority = changesAuthority
        ? `${redirect.host ?? '$host'}${redirect.port === undefined ? '' : `:${redirect.port}`}`
        : '$http_host';
      const origin = `${redirect.scheme ?? 'http'}://${authority}`;
      if (redirect.prefix !== undefined) httpLines.push(`    ${prefixEntry(r, redirect.prefix, origin)}`);
      else if (redirect.path !== undefined)
        httpLines.push(`    "~^${r.name}\\|[^?]*(?<lbquery>\\?.*)?$" "${origin}${redirect.path}$lbquery";`);
      else httpLines.push(`    "~^${r.name}\\|(?<lburi>.*)$" "${origin}$lburi";`);
      serverLines.push(`    if (${route} = ${r.name}) { return ${redirect.status} $lbspec_location_${id}; }`);
    }
    httpLines.push('  }');
  }
  const locationLines = [
    ...(listener.pool === undefined
      ? [`      if (${route} = "") { return 404 "no route matches this request\\n"; }`]
      : []),
    `      proxy_pass http://$lbspec_pool_${id}$lbspec_target_${id};`,
    `      proxy_set_header Host $lbspec_host_${id};`,
  ];
  return { httpLines, serverLines, locationLines, pools: [...pools] };
}

function headerVariable(name: string): string {
  return `$http_${name.replace(/-/g, '_')}`;
}

function variableSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_');
}

const field = '[^|]*';

/** The regex a route's match becomes, over the map's key. */
function matchRegex({ match }: RouteDocument, headerNames: readonly string[]): string {
  const host =
    match.host === undefined
      ? field
      : match.host.startsWith('*.')
        ? `[^|]+${escapeRegex(match.host.slice(1).toLowerCase())}`
        : escapeRegex(match.host.toLowerCase());
  const method = match.method === undefined ? field : `(?:${match.method.join('|')})`;
  const path = match.path === undefined ? '[^?|]*' : pathPattern(match.path, '[^?|]');
  const query = (match.query ?? [])
    .map((parameter) =>
      'exact' in parameter
        ? `(?=(?:[^|]*&)?${escapeRegex(parameter.name)}=${escapeRegex(parameter.exact)}(?:&|\\|))`
        : `(?=(?:[^|]*&)?${escapeRegex(parameter.name)}(?:=|&|\\|))`,
    )
    .join('');
  const headers = headerNames.map((name) => {
    const condition = match.headers?.find((header) => header.name.toLowerCase() === name);
    if (!condition) return field;
    if ('exact' in condition) return escapeRegex(condition.exact);
    if ('regex' in condition) return `(?:${condition.regex})`;
    return '[^|]+';
  });
  return `^${[host, method, `${path}(?:\\?[^|]*)?`, `${query}${field}`, ...headers, ''].join('\\|')}$`;
}

// A map entry replacing the route's matched prefix in "<route>|<request URI>", keeping the rest and
// the query string as sent: the replacement without its trailing slash, or for "/" just "/".
function prefixEntry(route: RouteDocument, replacement: string, origin: string): string {
  const path = route.match.path;
  if (!path || !('prefix' in path))
    throw new Error(`route "${route.name}": a prefix change needs a prefix match`);
  const prefix = `/${pathSegments(path.prefix).map(escapeRegex).join('/')}`;
  const trimmed = replacement.replace(/\/+$/, '');
  const tail = '(?<lbrest>[^?]*)(?<lbquery>\\?.*)?$';
  return trimmed === ''
    ? `"~^${route.name}\\|${prefix}/?${tail}" "${origin}/$lbrest$lbquery";`
    : `"~^${route.name}\\|${prefix}${tail}" "${origin}${trimmed}$lbrest$lbquery";`;
}

// split_clients shares by percentages of a hash of its key; $request_id is random per request.
function splitLines(variable: string, split: NonNullable<RouteDocument['split']>): string[] {
  const total = split.reduce((sum, share) => sum + share.weight, 0);
  const shares = split.filter((share) => share.weight > 0);
  return [
    `  split_clients "$request_id" ${variable} {`,
    ...shares.map((share, i) =>
      i === shares.length - 1
        ? `    * http_${share.pool};`
        : `    ${((share.weight / total) * 100).toFixed(2)}% http_${share.pool};`,
    ),
    '  }',
  ];
}
