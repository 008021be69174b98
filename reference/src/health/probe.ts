import { request } from 'node:http';
import { connect as connectHttp2 } from 'node:http2';
import { request as requestOverTls } from 'node:https';
import { connect } from 'node:net';
import type { HealthCheckConfig, UpstreamTlsConfig } from '../config/types.ts';
import { upstreamTlsOptions } from '../l7/upstream-tls.ts';

/** How a pool speaks to its backends: over TLS (its settings) or not, HTTP/2 or HTTP/1.1. */
export interface UpstreamSpeech {
  readonly tls?: UpstreamTlsConfig;
  readonly http2: boolean;
}

/** The result of one probe, with what was seen for the log. */
export interface ProbeResult {
  readonly passed: boolean;
  readonly detail: string;
}

/**
 * Probes one backend once, on a fresh connection (a pooled one could hide a backend that no longer
 * accepts). Never rejects: a refused connection, a wrong status or no answer within timeoutMs fails.
 */
export function probe(
  target: { readonly host: string; readonly port: number },
  check: HealthCheckConfig,
  /** How the pool speaks to its backends: an HTTP check speaks so too, over TLS its certificate checked. */
  { tls, http2 }: UpstreamSpeech = { http2: false },
): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (passed: boolean, detail: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve({ passed, detail });
      cleanup();
    };
    let cleanup = (): void => {};
    const deadline = setTimeout(
      () => finish(false, `no answer within ${check.timeoutMs} ms`),
      check.timeoutMs,
    );
    deadline.unref();
    if (check.type === 'tcp') {
      const socket = connect({ host: target.host, port: target.port });
      cleanup = () => socket.destroy();
      socket.once('connect', () => finish(true, 'connected'));
      socket.once('error', (error) => finish(false, error.message));
      return;
    }
    if (http2) {
      cleanup = probeOverHttp2(target, check.path, tls, (status, error) =>
        error ? finish(false, error) : finish(check.expectedStatuses.includes(status), `HTTP/2 ${status}`),
      );
      return;
    }
    const probeRequest = (tls ? requestOverTls : request)({
      ...(tls ? upstreamTlsOptions(tls) : {}),
      host: target.host,
      port: target.port,
      path: check.path,
      method: 'GET',
      agent: false,
      headers: { 'user-agent': 'lbspec-reference health check' },
    });
    cleanup = () => probeRequest.destroy();
    probeRequest.once('response', (response) => {
      response.resume();
      const status = response.statusCode ?? 0;
      finish(check.expectedStatuses.includes(status), `HTTP ${status}`);
    });
    probeRequest.once('error', (error) => finish(false, error.message));
    probeRequest.end();
  });
}

/** GET `path` on a connection of its own speaking HTTP/2; returns what closes it. */
function probeOverHttp2(
  target: { readonly host: string; readonly port: number },
  path: string,
  tls: UpstreamTlsConfig | undefined,
  answered: (status: number, error?: string) => void,
): () => void {
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  const session = connectHttp2(
    `${tls ? 'https' : 'http'}://${host}:${target.port}`,
    tls ? { ...upstreamTlsOptions(tls), ALPNProtocols: ['h2'] } : {},
  );
  session.on('error', (error) => answered(0, error.message));
  const stream = session.request(
    { ':method': 'GET', ':path': path, 'user-agent': 'lbspec-reference health check' },
    { endStream: true },
  );
  stream.on('error', (error) => answered(0, error.message));
  stream.once('response', (head) => {
    stream.resume();
    answered(Number(head[':status']));
  });
  return () => session.destroy();
}
