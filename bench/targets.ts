import { selectAdapter } from '../harness/adapters/select.ts';
import type { PortAllocator } from '../harness/processes/ports.ts';
import { ManagedProcess } from '../harness/processes/processes.ts';
import type { Capability } from '../harness/spec/capabilities.ts';
import type { ConfigDocument } from '../harness/spec/config-document.ts';

/** Something the bench puts load on: a balancer, a proxy library, or the backend itself. */
export interface Target {
  readonly name: string;
  /** host:port the load generator connects to. */
  readonly address: string;
  /** The process whose CPU and memory are measured; undefined for "direct". */
  readonly pid?: number | undefined;
  readonly stop?: () => Promise<unknown>;
}

/** What a scenario asks of its targets, whatever its protocol. */
export interface TargetNeeds {
  /** What a balancer must support to run it; others are listed as unsupported, with the reason. */
  readonly needs: readonly Capability[];
  /** Why a proxy library peer cannot run it, if it cannot (no routes, no TCP, ...). */
  readonly peersCannot?: string | undefined;
  /** Why a direct connection is no comparison, if it is not. */
  readonly directCannot?: string | undefined;
  /** The balancer's neutral config, listening on `listener` with its admin endpoint on `admin`. */
  readonly config: (listener: string, admin: string) => ConfigDocument;
}

/** Node proxy libraries run as peers (bench/peers/): round robin, no routes, no limits, HTTP only. */
const peers: Readonly<Record<string, string>> = { 'http-proxy': 'bench/peers/http-proxy.ts' };

async function startPeer(
  name: string,
  script: string,
  backends: readonly string[],
  ports: PortAllocator,
): Promise<Target> {
  const listener = `127.0.0.1:${await ports.allocate()}`;
  const peer = ManagedProcess.start({
    label: `peer ${name}`,
    command: process.execPath,
    args: ['--import', 'tsx', script, '--listen', listener, '--backends', backends.join(',')],
  });
  await peer.waitForLine(
    (line) => (line.startsWith('listening') ? true : undefined),
    `${name} to listen`,
    10_000,
  );
  return { name, address: listener, pid: peer.pid, stop: () => peer.stop() };
}

/**
 * Starts each of `names` in front of `backends`; a target that cannot run the scenario goes into
 * `unsupported` with the reason instead. Balancers are started by their adapters from the same
 * neutral config.
 */
export async function startTargets(
  names: readonly string[],
  scenario: TargetNeeds,
  backends: readonly string[],
  ports: PortAllocator,
  unsupported: Map<string, string>,
): Promise<Target[]> {
  const targets: Target[] = [];
  for (const name of names) {
    const peer = peers[name];
    if (peer !== undefined) {
      if (scenario.peersCannot) unsupported.set(name, scenario.peersCannot);
      else targets.push(await startPeer(name, peer, backends, ports));
      continue;
    }
    if (name === 'direct') {
      if (scenario.directCannot) unsupported.set(name, scenario.directCannot);
      else targets.push({ name, address: backends[0] as string });
      continue;
    }
    const adapter = selectAdapter(name, { ...process.env, LBSPEC_ADAPTER: name });
    const { capabilities } = await adapter.describe();
    const missing = scenario.needs.filter((need) => !capabilities.supported.includes(need));
    if (missing.length > 0) {
      unsupported.set(name, missing.map((need) => `${need}: ${capabilities.reasons[need]}`).join('; '));
      continue;
    }
    const listener = `127.0.0.1:${await ports.allocate()}`;
    const admin = `127.0.0.1:${await ports.allocate()}`;
    const balancer = await adapter.start(scenario.config(listener, admin));
    targets.push({ name, address: listener, pid: balancer.pid, stop: () => balancer.stop() });
  }
  return targets;
}
