import { createServer, type Server } from 'node:http';
import { parseAddress } from '../config/address.ts';
import { type BackendState, renderMetrics } from './metrics.ts';

/** What GET /status returns, produced fresh for every call. */
export type StatusSource = () => Record<string, unknown>;

/**
 * The admin endpoint: GET /healthz answers 200 while the process runs; GET /status reports the
 * config epoch and hash being served, so a caller can wait for its own config to be live, and each
 * backend's state; GET /metrics has that state as Prometheus gauges.
 */
export async function startAdminServer(address: string, status: StatusSource): Promise<Server> {
  const { host, port } = parseAddress(address) as { host: string; port: number };
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method === 'GET' && path === '/healthz') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (request.method === 'GET' && path === '/status') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(`${JSON.stringify(status())}\n`);
    } else if (request.method === 'GET' && path === '/metrics') {
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
