// Mutants of the reference's decision code, killed by its unit tests and the scenarios
// (scripts/mutation/suite-test-runner.ts). `npm run mutation` runs it once per group of modules
// (run-groups.ts), each with its own reports; `npx stryker run` on it runs every module at once.
// Reports go to reports/mutation/<LBSPEC_MUTATION_REPORT, else "mutation">.{html,json}.
import groups from './groups.json' with { type: 'json' };

const reportName = process.env.LBSPEC_MUTATION_REPORT ?? 'mutation';
// Every group's modules (groups.json; run-groups.ts runs them one group at a time).
const decisionModules = groups.flatMap((group) => group.files);

export default {
  mutate: [...decisionModules, '!**/*.test.ts'],
  testRunner: 'lbspec',
  plugins: ['./scripts/mutation/plugin.mjs'],
  coverageAnalysis: 'perTest',
  // Each mutant run starts its own balancer and backends on ports of their own.
  concurrency: 3,
  // A run starts node, the bundler and cucumber before its first scenario, and a busy machine
  // stretches what took 100 s in the dry run well past 150: a timeout must mean a hang, not load.
  timeoutMS: 60_000,
  timeoutFactor: 3,
  dryRunTimeoutMinutes: 30,
  // Nothing type-checks the sandbox: tsx and the bundler strip types without checking them.
  disableTypeChecks: false,
  ignorePatterns: ['reports', 'coverage', '.lbspec-tmp', '.stryker-tmp'],
  tempDirName: '.stryker-tmp',
  reporters: ['html', 'json', 'clear-text', 'progress'],
  htmlReporter: { fileName: `reports/mutation/${reportName}.html` },
  jsonReporter: { fileName: `reports/mutation/${reportName}.json` },
  clearTextReporter: { allowColor: false, logTests: false },
};
