import type { HostPort } from './types.ts';

/**
 * Splits "host:port" (or "[v6]:port") into its parts; undefined when it is not one.
 * Example: parseAddress("[::1]:8080") -> { host: "::1", port: 8080 }.
 */
export function parseAddress(address: string): HostPort | undefined {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):([0-9]{1,5})$/.exec(address);
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return undefined;
  return { host: (match[1] ?? match[2]) as string, port };
}

/** The inverse of parseAddress: brackets an IPv6 host. */
export function formatAddress({ host, port }: HostPort): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
