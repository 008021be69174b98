import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { Defects } from '../listener.ts';
import type { RuntimePool, Upstream } from '../pools.ts';
import type { UpstreamClients } from './upstream-clients.ts';

// Hop-by-hop headers (RFC 9110 7.6.1) are about one connection and are never forwarded. `expect` is
// answered here: node sends 100 Continue to the client itself.
const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
]);

/** Flat [name, value, ...] request headers without hop-by-hop ones, nor those Connection names. */
export function forwardableRequestHeaders(rawHeaders: readonly string[]): string[] {
  const named = connectionNamed(rawHeaders);
  const kept: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    const lower = name.toLowerCase();
    if (!hopByHop.has(lower) && !named.has(lower)) kept.push(name, rawHeaders[i + 1] as string);
  }
  return kept;
}

/** Response headers from a backend, without hop-by-hop ones, ready for writeHead. */
export function forwardableResponseHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string | string[]> {
  const connection = headers.connection;
  const named = new Set(
    (Array.isArray(connection) ? connection.join(',') : (connection ?? ''))
      .split(',')
      .map((token) => token.trim().toLowerCase())
      .filter(Boolean),
  );
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !hopByHop.has(name) && !named.has(name)) kept[name] = value;
  }
  return kept;
}

function connectionNamed(rawHeaders: readonly string[]): Set<string> {
  const named = new Set<string>();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if ((rawHeaders[i] as string).toLowerCase() !== 'connection') continue;
    for (const token of (rawHeaders[i + 1] as string).split(',')) {
      const trimmed = token.trim().toLowerCase();
      if (trimmed) named.add(trimmed);
    }
  }
  return named;
}

function hasBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** Proxies one HTTP request to a backend chosen from `pool`, streaming both bodies. */
export async function proxyHttpRequest(
  request: IncomingMessage,
  response: ServerResponse,
  pool: RuntimePool | undefined,
  { clients, defects }: { clients: UpstreamClients; defects: Defects },
): Promise<void> {
  const upstream = pool?.selector.pick();
  if (!upstream) {
    sendError(response, 503, `no backend available in pool "${pool?.name ?? '(none)'}"`);
    request.resume();
    return;
  }
  upstream.load.active++;
  let answered = false;
  const abort = new AbortController();
  // 'close' comes exactly once, whether the response finished, failed or the client went away.
  response.once('close', () => {
    const leaked = defects.neverReleaseLoad || (defects.releaseLoadOnlyOnSuccess && !answered);
    if (!leaked) upstream.load.active--;
    if (!response.writableFinished) abort.abort();
  });
  let answer: Awaited<ReturnType<ReturnType<UpstreamClients['for']>['request']>>;
  try {
    answer = await clients.for(upstream.address).request({
      method: request.method as string,
      path: request.url as string,
      headers: forwardableRequestHeaders(request.rawHeaders),
      body: hasBody(request) ? request : null,
      signal: abort.signal,
    });
  } catch (error) {
    if (!abort.signal.aborted) sendUpstreamFailure(response, upstream, error, defects.upstreamFailureStatus);
    return;
  }
  response.writeHead(answer.statusCode, forwardableResponseHeaders(answer.headers));
  answered = answer.statusCode < 500;
  try {
    await pipeline(answer.body, response);
  } catch {
    // The client went away or the backend broke off mid-body: nothing can be sent any more, so the
    // client sees a truncated response, which is what a broken upstream must look like.
    response.destroy();
  }
}

function sendUpstreamFailure(
  response: ServerResponse,
  upstream: Upstream,
  error: unknown,
  statusOverride?: number,
): void {
  const code = (error as { code?: string }).code ?? '';
  const timedOut = code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT';
  const reason = (error as Error).message || code;
  sendError(
    response,
    statusOverride ?? (timedOut ? 504 : 502),
    `backend "${upstream.id}" (${upstream.address}) ${timedOut ? 'timed out' : 'failed'}: ${reason}`,
  );
}

function sendError(response: ServerResponse, status: number, message: string): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const body = `lbspec-reference: ${message}\n`;
  response.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}
