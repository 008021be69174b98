/** Splits "host:port" or "[v6]:port" for net.connect: "[::1]:80" -> { host: "::1", port: 80 }. */
export function splitHostPort(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  return { host: address.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(address.slice(colon + 1)) };
}
