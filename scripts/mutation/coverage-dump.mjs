// Preloaded (node --import) into every process of a mutation dry run. A process that ran mutated
// code writes which mutants it reached, and when it started, to LBSPEC_MUTANT_COVERAGE_DIR as it
// exits; the test runner attributes the file to the unit test file or scenario that started it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const directory = process.env.LBSPEC_MUTANT_COVERAGE_DIR;
if (directory) {
  process.on('exit', () => {
    const coverage = globalThis.__stryker__?.mutantCoverage;
    if (!coverage) return;
    const reached = { ...coverage.static };
    for (const perTest of Object.values(coverage.perTest)) Object.assign(reached, perTest);
    const record = { pid: process.pid, startedAtMs: performance.timeOrigin, mutants: Object.keys(reached) };
    writeFileSync(join(directory, `${process.pid}.json`), JSON.stringify(record));
  });
}
