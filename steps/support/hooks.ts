import { After, AfterAll, AfterStep, Before, BeforeAll, Status, setDefaultTimeout } from '@cucumber/cucumber';
import { guardAgainstLeaks } from '../../harness/processes/processes.ts';
import { chartSetting } from '../../harness/report/chart-setting.ts';
import { mediaTypes } from '../../harness/report/media-types.ts';
import { requiredCapabilities } from '../../harness/spec/capabilities.ts';
import { scenarioId } from '../../harness/spec/scenario-id.ts';
import { timeouts } from '../../harness/timing/timeouts.ts';
import { likelyMistakes } from './diagnosis.ts';
import { type LbWorld, releaseWorkerBackends } from './world.ts';

setDefaultTimeout(timeouts.stepMs);

BeforeAll(() => {
  guardAgainstLeaks();
});

AfterAll(async () => {
  await releaseWorkerBackends();
});

let describedThisWorker = false;

Before(async function (this: LbWorld, { pickle }) {
  // A worker runs one scenario at a time: every balancer and backend it starts learns which one
  // (a balancer may name its logs by it; see docs/testing-your-balancer.md).
  process.env.LBSPEC_SCENARIO_ID = scenarioId(pickle.tags.map((tag) => tag.name)) ?? '';
  const required = requiredCapabilities(pickle.tags.map((tag) => tag.name));
  this.balancer.declared = new Set(required);
  const description = await this.balancer.adapter.describe();
  if (!describedThisWorker) {
    describedThisWorker = true;
    this.attach(
      JSON.stringify({ ...description, backendProvider: this.backends.provider.name }),
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

function attachCharts(world: LbWorld): void {
  for (const chart of world.chartsToAttach()) {
    world.attach(Buffer.from(chart.render()), { mediaType: mediaTypes.svg, fileName: chart.fileName });
  }
}

// LBSPEC_CHARTS=always attaches the charts to passed scenarios too; failed ones always get them.
const chartsOnSuccess = chartSetting(process.env.LBSPEC_CHARTS);

// Charts go with the step that failed, where the report shows them beside the error.
AfterStep(function (this: LbWorld, { result }) {
  if (result.status === Status.FAILED) attachCharts(this);
});

After(async function (this: LbWorld, { result, pickle }) {
  const unexpected = this.unexpectedExits();
  const failed = result?.status === Status.FAILED || unexpected.length > 0;
  if (failed) {
    const suggestions = await likelyMistakes(this, scenarioId(pickle.tags.map((tag) => tag.name)));
    if (suggestions.length > 0) this.attach(JSON.stringify(suggestions), mediaTypes.diagnosis);
    this.attach(await this.evidence(result?.message, suggestions), 'text/plain');
  }
  if (unexpected.length > 0 || (chartsOnSuccess && result?.status === Status.PASSED)) attachCharts(this);
  // A failed scenario's backends are reused too: the reset that hands a backend on makes it as if
  // started anew (behaviour, counts, log, open connections cut), and one that was stopped, killed,
  // paused or restarted, exited, or does not answer its reset is never reused. A failing balancer
  // (a grader's submission, a broken balancer) fails most scenarios; new backends for each of them
  // were a fifth of the CPU the broken-balancer runs spent.
  await this.dispose(unexpected.length === 0);
  if (unexpected.length > 0) throw new Error(`no step checked for it, but: ${unexpected.join('; ')}`);
});
