import type { HeaderRulesDocument, ListenerDocument, RouteDocument } from '../spec/config-document.ts';
import { escapeRegex, inPrecedenceOrder, pathRegex, pathSegments } from './route-order.ts';

/**
 * The frontend rules of an HTTP listener with routes. HAProxy's rules go first-match in the order
 * written, so the routes are written in the spec's precedence order, and the first that matches
 * names itself in txn.route; every action after that (split, redirect, rewrite, header rules, the
 * backend) is keyed on that name, so a route's actions apply only when it won.
 * Known differences: a query value is compared as sent (HAProxy does not decode it), a header
 * regex is PCRE rather than JavaScript syntax, and a header's value is its last occurrence.
 */
export function routedFrontendLines(
  listener: ListenerDocument,
  backendOf: (pool: string) => string,
): string[] {
  const routes = inPrecedenceOrder(listener.routes ?? []);
  const lines: string[] = [];
  for (const route of routes) {
    lines.push(
      `  http-request set-var(txn.route) str(${route.name}) if !{ var(txn.route) -m found } ${conditions(route)}`.trimEnd(),
    );
  }
  if (listener.pool === undefined) {
    lines.push(
      `  http-request return status 404 content-type text/plain string 'no route matches this request' if !{ var(txn.route) -m found }`,
    );
  }
  for (const route of routes) {
    const won = `{ var(txn.route) -m str ${route.name} }`;
    lines.push(...redirectLines(route, won), ...rewriteLines(route, won));
    lines.push(...headerRuleLines('http-request', route.requestHeaders, won));
    // http-after-response also reaches answers HAProxy makes itself, such as a redirect.
    lines.push(...headerRuleLines('http-after-response', route.responseHeaders, won));
  }
  for (const route of routes) {
    const won = `{ var(txn.route) -m str ${route.name} }`;
    if (route.pool !== undefined) lines.push(`  use_backend ${backendOf(route.pool)} if ${won}`);
    lines.push(...splitLines(route, won, backendOf));
  }
  if (listener.pool !== undefined) lines.push(`  default_backend ${backendOf(listener.pool)}`);
  return lines;
}

function conditions({ match }: RouteDocument): string {
  const all: string[] = [];
  if (match.host !== undefined) {
    const host = match.host.toLowerCase();
    all.push(
      host.startsWith('*.')
        ? `{ req.hdr(host),field(1,:),lower -m end ${literal(host.slice(1))} }`
        : `{ req.hdr(host),field(1,:),lower -m str ${literal(host)} }`,
    );
  }
  if (match.path !== undefined) all.push(`{ path -m reg ${literal(pathRegex(match.path))} }`);
  if (match.method !== undefined) all.push(`{ method ${match.method.join(' ')} }`);
  for (const header of match.headers ?? []) {
    if ('exact' in header) all.push(`{ req.fhdr(${header.name}) -m str ${literal(header.exact)} }`);
    else if ('regex' in header)
      all.push(`{ req.fhdr(${header.name}) -m reg ${literal(`^(?:${header.regex})$`)} }`);
    else all.push(`{ req.hdr_cnt(${header.name}) gt 0 }`);
  }
  for (const parameter of match.query ?? []) {
    all.push(
      'exact' in parameter
        ? `{ url_param(${parameter.name}) -m str ${literal(parameter.exact)} }`
        : `{ url_param(${parameter.name}) -m found }`,
    );
  }
  return all.join(' ');
}

// The route's prefix, as a regsub pattern, and what it becomes: the replacement without its
// trailing slash, or, for "/", the prefix with a following slash becomes "/".
function prefixReplacement(route: RouteDocument, replacement: string): string {
  const path = route.match.path;
  if (!path || !('prefix' in path))
    throw new Error(`route "${route.name}": a prefix change needs a prefix match`);
  const prefix = `^/${pathSegments(path.prefix).map(escapeRegex).join('/')}`;
  const trimmed = replacement.replace(/\/+$/, '');
  const expression =
    trimmed === '' ? `%[path,regsub(${prefix}/?,/)]` : `%[path,regsub(${prefix},${trimmed})]`;
  if (/[,)]/.test(path.prefix + replacement)) {
    throw new Error(`route "${route.name}": HAProxy's regsub cannot take "," or ")" in a prefix`);
  }
  return expression;
}

function redirectLines(route: RouteDocument, won: string): string[] {
  const redirect = route.redirect;
  if (!redirect) return [];
  const changesAuthority =
    redirect.scheme !== undefined || redirect.host !== undefined || redirect.port !== undefined;
  const host = redirect.host ?? '%[req.hdr(host),field(1,:)]';
  const authority = changesAuthority
    ? `${host}${redirect.port === undefined ? '' : `:${redirect.port}`}`
    : '%[req.hdr(host)]';
  const origin = `${redirect.scheme ?? 'http'}://${authority}`;
  const path =
    redirect.path !== undefined
      ? redirect.path
      : redirect.prefix !== undefined
        ? prefixReplacement(route, redirect.prefix)
        : undefined;
  const redirectTo = (location: string, condition: string) =>
    `  http-request redirect location ${literal(location)} code ${redirect.status} if ${condition}`;
  if (path === undefined) return [redirectTo(`${origin}%[pathq]`, won)];
  return [
    redirectTo(`${origin}${path}?%[query]`, `${won} { query -m found }`),
    redirectTo(`${origin}${path}`, won),
  ];
}

function rewriteLines(route: RouteDocument, won: string): string[] {
  const rewrite = route.rewrite;
  if (!rewrite) return [];
  const lines: string[] = [];
  if (rewrite.path !== undefined) lines.push(`  http-request set-path ${literal(rewrite.path)} if ${won}`);
  if (rewrite.prefix !== undefined)
    lines.push(`  http-request set-path ${literal(prefixReplacement(route, rewrite.prefix))} if ${won}`);
  // X-Forwarded-Host was set from the client's Host before this.
  if (rewrite.host !== undefined)
    lines.push(`  http-request set-header Host ${literal(rewrite.host)} if ${won}`);
  return lines;
}

function headerRuleLines(
  directive: 'http-request' | 'http-after-response',
  rules: HeaderRulesDocument | undefined,
  won: string,
): string[] {
  if (!rules) return [];
  return [
    ...(rules.remove ?? []).map((name) => `  ${directive} del-header ${name} if ${won}`),
    ...Object.entries(rules.set ?? {}).map(
      ([name, value]) => `  ${directive} set-header ${name} ${literal(logFormat(value))} if ${won}`,
    ),
    ...Object.entries(rules.add ?? {}).map(
      ([name, value]) => `  ${directive} add-header ${name} ${literal(logFormat(value))} if ${won}`,
    ),
  ];
}

// One random draw per request picks the share: pool i takes draws in [sum of weights before it, + its weight).
function splitLines(route: RouteDocument, won: string, backendOf: (pool: string) => string): string[] {
  const split = route.split;
  if (!split) return [];
  const total = split.reduce((sum, share) => sum + share.weight, 0);
  const lines = [`  http-request set-var(txn.split) rand(${total}) if ${won}`];
  let from = 0;
  for (const share of split) {
    if (share.weight > 0) {
      lines.push(
        `  use_backend ${backendOf(share.pool)} if ${won} { var(txn.split) -m int ge ${from} } { var(txn.split) -m int lt ${from + share.weight} }`,
      );
    }
    from += share.weight;
  }
  return lines;
}

// A config word taken literally: single quotes stop HAProxy's escapes and variable expansion.
function literal(text: string): string {
  if (text.includes("'"))
    throw new Error(`HAProxy adapter: cannot quote a value with a single quote: ${text}`);
  return `'${text}'`;
}

// A constant header value in a log-format string: "%" starts a tag, so it is doubled.
function logFormat(value: string): string {
  return value.replaceAll('%', '%%');
}
