import { Then, When } from '@cucumber/cucumber';
import { ExpectationError } from '../harness/checks/expectations.ts';
import {
  affinityProblems,
  type PinnedClient,
  type PinnedRequest,
  pinClients,
  sendPinned,
} from '../harness/clients/fleet-affinity.ts';
import { measuredBy } from './support/diagnosis.ts';
import { topicState } from './support/topic-state.ts';
import type { LbWorld } from './support/world.ts';

// The fleet's scenarios name their affinity cookie "lb".
const cookieName = 'lb';

const fleetAffinity = topicState(() => ({
  clients: [] as PinnedClient[],
  requests: [] as PinnedRequest[],
  /** The instance killed under traffic, and how many requests had been answered once it was gone. */
  kill: undefined as { readonly address: string; readonly goneAfter: number } | undefined,
}));

measuredBy((world) => {
  const { clients, requests } = fleetAffinity(world);
  return clients.length === 0 ? {} : { fleetAffinity: { clients, requests } };
});

function pinned(world: LbWorld): PinnedClient[] {
  const { clients } = fleetAffinity(world);
  if (clients.length === 0) throw new Error('no client took an affinity cookie in this scenario');
  return clients;
}

When(
  '{int} clients each take their affinity cookie from another instance of the fleet',
  async function (this: LbWorld, count: number) {
    fleetAffinity(this).clients = await pinClients(this.balancer.fleetListenerAddresses, count, cookieName);
  },
);

When(
  'the clients send {int} requests each round robin over the fleet, returning their cookies',
  async function (this: LbWorld, perClient: number) {
    const addresses = this.balancer.fleetListenerAddresses;
    fleetAffinity(this).requests = await sendPinned(pinned(this), addresses, perClient, cookieName);
  },
);

When(
  'the clients send {int} requests each round robin over the fleet, returning their cookies, and instance {int} is killed after the first {int}',
  async function (this: LbWorld, perClient: number, position: number, killAfter: number) {
    const clients = pinned(this);
    if (killAfter < 1 || killAfter >= clients.length * perClient)
      throw new Error(
        `the kill must come after 1 to ${clients.length * perClient - 1} of the ${clients.length * perClient} requests, not after ${killAfter}`,
      );
    const state = fleetAffinity(this);
    const addresses = this.balancer.fleetListenerAddresses;
    let killing: Promise<void> | undefined;
    let answered = 0;
    state.requests = await sendPinned(clients, addresses, perClient, cookieName, (sent) => {
      answered = sent;
      if (sent !== killAfter) return;
      // Settled here, awaited once the traffic is over: a failed kill must not go unhandled meanwhile.
      killing = this.balancer.killInstance(position).then((address) => {
        state.kill = { address, goneAfter: answered };
      });
      killing.catch(() => {});
    });
    await killing;
  },
);

Then('every request to a running instance reached the backend its cookie pins', function (this: LbWorld) {
  const { clients, requests, kill } = fleetAffinity(this);
  const problems = affinityProblems(clients, requests, kill?.address);
  if (kill && kill.goneAfter >= requests.length)
    problems.push(
      `instance ${kill.address} was gone only after the last request: no request followed its kill`,
    );
  if (problems.length > 0) {
    throw new ExpectationError(
      `${problems.length} of ${requests.length} requests missed the backend their cookie pins:\n${problems.slice(0, 12).join('\n')}`,
    );
  }
});
