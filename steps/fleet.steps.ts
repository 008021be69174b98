import { Given, When } from '@cucumber/cucumber';
import { mediaTypes } from '../harness/report/media-types.ts';
import { sharedStore, startSharedStore } from './support/shared-store.ts';
import type { LbWorld } from './support/world.ts';

Given("a Redis for the fleet's shared state", async function (this: LbWorld) {
  const started = await startSharedStore(this);
  if (!('missing' in started)) return undefined;
  this.attach(`not run: ${started.missing}`, mediaTypes.notRun);
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
