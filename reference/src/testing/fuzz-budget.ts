/**
 * How long each fuzzing property runs: LBSPEC_FUZZ_MS (default 2,000 ms, enough for npm test),
 * longer on demand, e.g. LBSPEC_FUZZ_MS=600000 npm run test:unit. Runs stop at the budget, not at
 * a count, so the machine's speed decides how many cases that is.
 */
export function fuzzBudgetMs(): number {
  const text = process.env.LBSPEC_FUZZ_MS;
  if (text === undefined || text === '') return 2_000;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`LBSPEC_FUZZ_MS="${text}" is not a time: give whole milliseconds, e.g. 60000`);
  return value;
}

/** fast-check options for a property that runs until the budget is spent (no case count). */
export function untilBudget(): {
  numRuns: number;
  interruptAfterTimeLimit: number;
  markInterruptAsFailure: false;
} {
  return {
    numRuns: Number.MAX_SAFE_INTEGER,
    interruptAfterTimeLimit: fuzzBudgetMs(),
    markInterruptAsFailure: false,
  };
}
