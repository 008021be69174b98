import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Listener ports are chosen by the harness (a balancer must listen where its config says), so they
// come from below the kernel's ephemeral range (32768+ on Linux): no outgoing connection can take
// one between the probe and the balancer's bind. Each cucumber worker draws from its own slice.
const firstPort = 20_000;
const slicePorts = 1_000;
const slices = 12;

/**
 * Claims on ports, shared by every run on this machine: between the probe and the balancer's bind
 * (hundreds of ms while a process starts) a second suite running at once would see the port free
 * too. A claim is a directory created atomically, holding its owner's pid.
 */
const claimsDirectory = join(tmpdir(), 'lbspec-port-claims');

/** Ports this process holds claims on, released when it exits. */
const claimedHere = new Set<number>();
let releaseOnExit = false;

/** Hands out free loopback ports from this worker's slice, probing each with a bind. */
export class PortAllocator {
  readonly #first: number;
  readonly #claimed = new Set<number>();
  #offset: number;

  constructor(workerIndex: number = Number(process.env.CUCUMBER_WORKER_ID ?? 0)) {
    this.#first = firstPort + (workerIndex % slices) * slicePorts;
    // A random start keeps two suites running at once (e.g. against two balancers) apart.
    this.#offset = Math.floor(Math.random() * slicePorts);
    if (!releaseOnExit) {
      releaseOnExit = true;
      process.once('exit', () => {
        for (const port of claimedHere) rmSync(claimPath(port), { recursive: true, force: true });
      });
    }
  }

  /** A port nothing listens on now and no other run has claimed, on `host` (default 127.0.0.1). */
  async allocate(host = '127.0.0.1'): Promise<number> {
    for (let tries = 0; tries < slicePorts; tries++) {
      const port = this.#first + (this.#offset++ % slicePorts);
      if (!this.#claim(port)) continue;
      if (await isFree(host, port)) return port;
      this.#release(port);
    }
    throw new Error(
      `no free port on ${host} in ${this.#first}-${this.#first + slicePorts - 1}; is a previous run still running?`,
    );
  }

  /** Gives back every port this allocator handed out (their users have stopped). */
  releaseAll(): void {
    for (const port of this.#claimed) this.#release(port);
  }

  #claim(port: number): boolean {
    const claim = claimPath(port);
    mkdirSync(claimsDirectory, { recursive: true });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        mkdirSync(claim);
        writeFileSync(join(claim, 'pid'), String(process.pid));
        this.#claimed.add(port);
        claimedHere.add(port);
        return true;
      } catch (error) {
        if ((error as { code?: string }).code !== 'EEXIST' || ownerAlive(claim)) return false;
        // Left behind by a run that died without cleaning up.
        rmSync(claim, { recursive: true, force: true });
      }
    }
    return false;
  }

  #release(port: number): void {
    this.#claimed.delete(port);
    claimedHere.delete(port);
    rmSync(claimPath(port), { recursive: true, force: true });
  }
}

function claimPath(port: number): string {
  return join(claimsDirectory, String(port));
}

function ownerAlive(claim: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(claim, 'pid'), 'utf8'));
  } catch {
    // Being written this instant (held), or torn by a process that died between the two steps.
    try {
      return Date.now() - statSync(claim).mtimeMs < 10_000;
    } catch {
      return false;
    }
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

function isFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}
