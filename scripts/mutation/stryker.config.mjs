// Mutants of the reference's decision code, killed by its unit tests and the scenarios
// (scripts/mutation/suite-test-runner.ts). `npm run mutation` runs it once per group of modules
// (run-groups.ts), each with its own reports; `npx stryker run` on it runs every module at once.
// Reports go to reports/mutation/<LBSPEC_MUTATION_REPORT, else "mutation">.{html,json}.
const reportName = process.env.LBSPEC_MUTATION_REPORT ?? 'mutation';
const decisionModules = [
  'reference/src/selection/**/*.ts',
  'reference/src/health/**/*.ts',
  'reference/src/resilience/**/*.ts',
  'reference/src/limits/**/*.ts',
  ...[
    'affinity',
    'hash-key',
    'header-rules',
    'request-vetting',
    'rewrite',
    'route-index',
    'router',
    'wire/request-head',
    'wire/response-reader',
    'wire/syntax',
    'http2-front',
    'tls-termination',
  ].map((name) => `reference/src/l7/${name}.ts`),
  'reference/src/l4/client-hello.ts',
];

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
