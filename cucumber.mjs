import { availableParallelism } from 'node:os';

// Profiles for `npx cucumber-js [-p name]`. Reports go to reports/ (LBSPEC_REPORTS_DIR overrides).
const reports = process.env.LBSPEC_REPORTS_DIR ?? 'reports';

// A live bar with counts on a terminal; one plain line per scenario in logs (CI, pipes).
const progress = process.stdout.isTTY
  ? 'progress-bar'
  : './steps/support/report/progress-lines-formatter.mjs';

const common = {
  paths: ['features/**/*.feature'],
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
  formatOptions: { snippetInterface: 'async-await', conformanceMarkdown: `${reports}/conformance.md` },
  strict: true,
  // Scenarios share no state (each starts its own backends and balancer on its own ports), and
  // many spend their time waiting on the network, so they run in workers: one per core, and at
  // least two. `--parallel 0` runs them one after another.
  parallel: Math.max(2, availableParallelism()),
};

/** The reference balancer with process backends. */
export default { ...common };

/** Backends as containers (needs a Docker engine; see the README). */
export const containers = { ...common, worldParameters: { backends: 'container' } };

/** Your own balancer: LBSPEC_COMMAND and LBSPEC_CAPABILITIES, see the README. */
export const command = { ...common, worldParameters: { adapter: 'command' } };
