import { connect } from 'node:net';

/** Splits "host:port" or "[v6]:port" for net.connect: "[::1]:80" -> { host: "::1", port: 80 }. */
export function splitHostPort(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  return { host: address.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(address.slice(colon + 1)) };
}

/**
 * Whether `address` accepts a connection now (closed at once, nothing sent). Not a readiness probe
 * of a listener with backends behind it: see expectAccepting in adapters/process-adapter.ts.
 */
export function accepts(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(splitHostPort(address));
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
