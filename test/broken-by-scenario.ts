// Runs, for each scenario, the broken balancer that LBSPEC_BROKEN_BY_SCENARIO names for it: a JSON
// object from scenario ids to names in fixtures/broken/, keyed by the LBSPEC_SCENARIO_ID that the
// suite sets for every balancer it starts. One run of the suite can so put many broken balancers
// to their scenarios without starting once per balancer (test/suite-runs.test.ts).
const table = JSON.parse(process.env.LBSPEC_BROKEN_BY_SCENARIO ?? '{}') as Record<string, string>;
const scenario = process.env.LBSPEC_SCENARIO_ID ?? '';
const broken = table[scenario];
if (!broken) {
  process.stderr.write(
    `broken-by-scenario: no broken balancer named for scenario "${scenario}" in LBSPEC_BROKEN_BY_SCENARIO\n`,
  );
  process.exit(2);
}
await import(`../fixtures/broken/${broken}.ts`);
