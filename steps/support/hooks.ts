import { After, Before, BeforeAll, Status, setDefaultTimeout } from '@cucumber/cucumber';
import { requiredCapabilities } from './capabilities.ts';
import { guardAgainstLeaks } from './processes.ts';
import { mediaTypes } from './report/media-types.ts';
import { timeouts } from './timeouts.ts';
import type { LbWorld } from './world.ts';

setDefaultTimeout(timeouts.stepMs);

BeforeAll(() => {
  guardAgainstLeaks();
});

let describedThisWorker = false;

Before(async function (this: LbWorld, { pickle }) {
  const required = requiredCapabilities(pickle.tags.map((tag) => tag.name));
  const description = await this.adapter.describe();
  if (!describedThisWorker) {
    describedThisWorker = true;
    this.attach(
      JSON.stringify({ ...description, backendProvider: this.backendProvider.name }),
      mediaTypes.adapter,
    );
  }
  const missing = required.filter((capability) => !description.capabilities.supported.includes(capability));
  if (missing.length === 0) return undefined;
  const reasons = missing.map(
    (capability) => `${capability}: ${description.capabilities.reasons[capability] ?? 'not supported'}`,
  );
  this.attach(JSON.stringify({ adapter: description.name, missing, reasons }), mediaTypes.unsupported);
  return 'skipped';
});

After(async function (this: LbWorld, { result }) {
  const unexpected = this.unexpectedExits();
  if (result?.status === Status.FAILED || unexpected.length > 0) {
    this.attach(await this.evidence(), 'text/plain');
  }
  await this.dispose();
  if (unexpected.length > 0) throw new Error(`no step checked for it, but: ${unexpected.join('; ')}`);
});
