import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { parseAddress } from '../config/address.ts';
import { type BackendState, renderMetrics } from './metrics.ts';

/** What GET /status returns, produced fresh for every call. */
export type StatusSource = () => Record<string, unknown>;

/**
 * The admin endpoint: GET /healthz answers 200 while the process runs; GET /status reports the
 * config epoch and hash being served, so a caller can wait for its own config to be live, and each
 * backend's state; GET /metrics has that state as Prometheus gauges. With a token, a request
 * without "Authorization: Bearer <token>" gets 401 and nothing else; any method but GET gets 405.
 */
export async function startAdminServer(
  address: string,
  status: StatusSource,
  token?: string,
): Promise<Server> {
  const { host, port } = parseAddress(address) as { host: string; port: number };
  const expected = token === undefined ? undefined : digest(`Bearer ${token}`);
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    request.resume();
    if (expected && !timingSafeEqual(digest(request.headers.authorization ?? ''), expected)) {
      response
        .writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' })
        .end('unauthorized: send Authorization: Bearer <the admin token>\n');
    } else if (request.method !== 'GET' && request.method !== 'HEAD') {
      response
        .writeHead(405, { 'content-type': 'text/plain', allow: 'GET, HEAD' })
        .end('only GET is answered here\n');
    } else if (path === '/healthz') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/status') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(`${JSON.stringify(status())}\n`);
    } else if (path === '/metrics') {
      const pools = (status().pools ?? {}) as Record<string, BackendState[]>;
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(renderMetrics(pools));
    } else {
      response
        .writeHead(404, { 'content-type': 'text/plain' })
        .end('not found: try GET /healthz, GET /status or GET /metrics\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(new Error(`admin endpoint cannot listen on ${address}: ${error.message}`)),
    );
    server.listen({ host, port }, resolve);
  });
  return server;
}

// Fixed-length digests let timingSafeEqual compare values of any length without telling it.
function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
