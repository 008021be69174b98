import { createServer } from 'node:net';

// Listener ports are chosen by the harness (a balancer must listen where its config says), so they
// come from below the kernel's ephemeral range (32768+ on Linux): no outgoing connection can take
// one between the probe and the balancer's bind. Each cucumber worker draws from its own slice.
const firstPort = 20_000;
const slicePorts = 1_000;
const slices = 12;

/** Hands out free loopback ports from this worker's slice, probing each with a bind. */
export class PortAllocator {
  readonly #first: number;
  #offset: number;

  constructor(workerIndex: number = Number(process.env.CUCUMBER_WORKER_ID ?? 0)) {
    this.#first = firstPort + (workerIndex % slices) * slicePorts;
    // A random start keeps two suites running at once (e.g. against two balancers) apart.
    this.#offset = Math.floor(Math.random() * slicePorts);
  }

  /** A port nothing listens on now, on `host` (default 127.0.0.1). */
  async allocate(host = '127.0.0.1'): Promise<number> {
    for (let tries = 0; tries < slicePorts; tries++) {
      const port = this.#first + (this.#offset++ % slicePorts);
      if (await isFree(host, port)) return port;
    }
    throw new Error(
      `no free port on ${host} in ${this.#first}-${this.#first + slicePorts - 1}; is a previous run still running?`,
    );
  }
}

function isFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}
