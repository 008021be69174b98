import { request } from 'node:http';
import { request as requestOverTls } from 'node:https';
import { connect } from 'node:net';
import type { HealthCheckConfig, UpstreamTlsConfig } from '../config/types.ts';
import { upstreamTlsOptions } from '../l7/upstream-tls.ts';

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
  /** The pool's TLS to its backends: an HTTP check goes over it too, its certificate checked. */
  tls?: UpstreamTlsConfig,
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
