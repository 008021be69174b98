import { Given, Then, When } from '@cucumber/cucumber';
import { ExpectationError } from '../harness/checks/expectations.ts';
import { clientPerInstance, type InstanceOutcomes } from '../harness/clients/fleet.ts';
import { sharedStore, startSharedStore } from './support/shared-store.ts';
import { topicState } from './support/topic-state.ts';
import type { LbWorld } from './support/world.ts';

const fleet = topicState(() => ({
  /** Each instance's client, when every instance took requests of its own. */
  perInstance: undefined as { readonly outcomes: InstanceOutcomes[]; readonly killed: number } | undefined,
}));

Given("a Redis for the fleet's shared state", async function (this: LbWorld) {
  const started = await startSharedStore(this);
  if (!('missing' in started)) return undefined;
  this.attach(`not run: ${started.missing}`, 'text/plain');
  return 'skipped';
});

Given(
  /^(\d+) more instances? of the balancer (?:is|are) started on the same config$/,
  async function (this: LbWorld, count: string) {
    await this.balancer.startMore(Number(count));
  },
);

When('the shared store is stopped', async function (this: LbWorld) {
  await sharedStore(this).kill();
});

When('the shared store is started again', async function (this: LbWorld) {
  await sharedStore(this).restart();
});

When('the shared store stops answering', async function (this: LbWorld) {
  await sharedStore(this).pause();
});

When('the shared store answers again', async function (this: LbWorld) {
  await sharedStore(this).resume();
});

When(
  'a client of each instance sends {int} requests one after another, and instance {int} is killed after its {int}th',
  async function (this: LbWorld, count: number, killed: number, after: number) {
    const addresses = this.balancer.fleetListenerAddresses;
    if (killed < 1 || killed > addresses.length)
      throw new Error(`the fleet has instances 1 to ${addresses.length}, not ${killed}`);
    const outcomes = await clientPerInstance(addresses, count, async (instance, sent) => {
      if (instance === killed - 1 && sent === after) await this.balancer.killInstance(instance);
    });
    fleet(this).perInstance = { outcomes, killed };
  },
);

Then('every request sent to the other instances was answered by a backend', function (this: LbWorld) {
  const sent = fleet(this).perInstance;
  if (!sent) throw new Error('no client of each instance sent requests in this scenario');
  const wrong = sent.outcomes.flatMap(({ address, outcomes }, index) => {
    if (index === sent.killed - 1) return [];
    const failed = outcomes.filter((outcome) => outcome !== '200');
    return failed.length === 0
      ? []
      : [
          `instance ${index + 1} (${address}): ${failed.length} of ${outcomes.length} got ${[...new Set(failed)].join(', ')}`,
        ];
  });
  if (wrong.length > 0)
    throw new ExpectationError(
      `while instance ${sent.killed} was killed, requests to the others failed:\n  ${wrong.join('\n  ')}`,
    );
});
