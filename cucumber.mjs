import { availableParallelism } from 'node:os';

// Profiles for `npx cucumber-js [-p name]`. Reports go to reports/ (LBSPEC_REPORTS_DIR overrides).
const reports = process.env.LBSPEC_REPORTS_DIR ?? 'reports';

// A live bar with counts on a terminal; one plain line per scenario in logs (CI, pipes).
const progress = process.stdout.isTTY
  ? 'progress-bar'
  : './steps/support/report/progress-lines-formatter.mjs';

// junit.xml's suite is named after the balancer, so that a CI that collects several runs tells them
// apart: LBSPEC_NAME, else the adapter.
const suiteName = (adapter) => process.env.LBSPEC_NAME || process.env.LBSPEC_ADAPTER || adapter;

const common = {
  // No "paths": cucumber adds the feature paths of a command line to those of the config, so a path
  // here would run every feature whatever the command line names. Its default is features/.
  // Listed one by one: a glob over steps/ would also load the unit tests (*.test.ts) beside them.
  import: [
    'steps/support/register.mjs',
    'steps/support/world.ts',
    'steps/support/parameters.ts',
    'steps/support/hooks.ts',
    'steps/*.steps.ts',
  ],
  format: [
    progress,
    `html:${reports}/cucumber.html`,
    `junit:${reports}/junit.xml`,
    `message:${reports}/messages.ndjson`,
    `./steps/support/report/conformance-formatter.mjs:${reports}/conformance.json`,
  ],
  formatOptions: {
    snippetInterface: 'async-await',
    conformanceMarkdown: `${reports}/conformance.md`,
    // Rewritten by the conformance formatter when a signal ends the run before cucumber writes it.
    conformanceJunit: `${reports}/junit.xml`,
    junit: { suiteName: suiteName('reference') },
  },
  // Checks the settings once, up front (steps/support/settings-plugin.mjs); its options are the
  // profile's world parameters.
  plugin: ['./steps/support/settings-plugin.mjs'],
  strict: true,
  // Scenarios share no state (each starts its own balancer on its own ports, with backends of its
  // own), and they spend part of their time waiting on timers (health intervals, breaker pauses,
  // backoff), so they run in one worker more than there are cores: on two cores, two workers took
  // 71 s and left a fifth of the CPU idle, three 59 s, four 67 s. `--parallel 0` runs them one
  // after another.
  parallel: availableParallelism() + 1,
};

/** The reference balancer with process backends. */
export default { ...common };

/** Backends as containers (needs a Docker engine; see docs/testing-your-balancer.md). */
const containerParameters = { backends: 'container' };
export const containers = {
  ...common,
  worldParameters: containerParameters,
  pluginOptions: containerParameters,
};

/** Your own balancer: LBSPEC_COMMAND and LBSPEC_CAPABILITIES, see docs/testing-your-balancer.md. */
export const command = {
  ...common,
  formatOptions: { ...common.formatOptions, junit: { suiteName: suiteName('command') } },
  worldParameters: { adapter: 'command' },
  pluginOptions: { adapter: 'command' },
};
