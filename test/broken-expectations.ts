/**
 * Each deliberately broken balancer in fixtures/broken/ and the scenarios its defect breaks, read
 * from its own opening comment: the suite must fail every one of them when run against it
 * (test/suite-runs.test.ts). In that comment, one line per scenario, by its stable id (`lbspec list
 * scenarios` shows them with their titles, so a reworded title changes nothing):
 *   // must fail: rr-sequential-requests-spread-exactly-http
 * One that stands for a correct balancer which chose differently also names the scenarios (a tag
 * expression) every one of which it must pass, so the suite cannot fail such a choice:
 *   // must also pass: @task-06
 * One that embodies a mistake of the catalogue (docs/mistakes.md) names it; wherever the catalogue
 * says that mistake explains a scenario this balancer fails, the report must suggest it among its
 * first two:
 *   // mistake: rotation-not-in-config-order
 * A file that is not a balancer of these runs says so, and why:
 *   // not run by the suite: a module the broken balancers share, not a balancer
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface Expectation {
  readonly mustFail: readonly string[];
  readonly passes?: string;
  /** The catalogued mistake it embodies, if it names one. */
  readonly mistake?: string;
}

const mustFailLine = /^\/\/ must fail: (\S+)$/;
const passesLine = /^\/\/ must also pass: (.+)$/;
const notRunLine = /^\/\/ not run by the suite: \S/;
const mistakeLine = /^\/\/ mistake: (\S+)$/;

/**
 * What the opening comment of broken balancer `name` declares: its expectation, or undefined when
 * it says it is not run by the suite. Throws naming the file when it declares neither, or both.
 */
export function parseExpectation(name: string, source: string): Expectation | undefined {
  const lines = source.split('\n');
  const end = lines.findIndex((line) => !line.startsWith('//'));
  const opening = end === -1 ? lines : lines.slice(0, end);
  const mustFail = opening.flatMap((line) => mustFailLine.exec(line)?.[1] ?? []);
  const passes = opening.flatMap((line) => passesLine.exec(line)?.[1]?.trim() ?? []);
  const notRun = opening.some((line) => notRunLine.test(line));
  const mistakes = opening.flatMap((line) => mistakeLine.exec(line)?.[1] ?? []);
  const where = `fixtures/broken/${name}.ts`;
  if (notRun && (mustFail.length > 0 || passes.length > 0))
    throw new Error(`${where} says it is not run by the suite, yet names scenarios for it`);
  if (notRun) return undefined;
  if (mustFail.length === 0) {
    throw new Error(
      `${where} names no scenario it must fail: add "// must fail: <scenario id>" lines to its opening comment (ids from \`lbspec list scenarios\`), or "// not run by the suite: <why>"`,
    );
  }
  if (passes.length > 1) throw new Error(`${where} has more than one "must also pass" line`);
  if (mistakes.length > 1) throw new Error(`${where} names more than one mistake`);
  const duplicate = mustFail.find((id, index) => mustFail.indexOf(id) !== index);
  if (duplicate) throw new Error(`${where} names "${duplicate}" twice`);
  return {
    mustFail,
    ...(passes[0] === undefined ? {} : { passes: passes[0] }),
    ...(mistakes[0] === undefined ? {} : { mistake: mistakes[0] }),
  };
}

const brokenDirectory = fileURLToPath(new URL('../fixtures/broken/', import.meta.url));

/** Every broken balancer of fixtures/broken/ the suite runs, by name, with its expectation. */
export function readExpectations(directory = brokenDirectory): Record<string, Expectation> {
  const entries = readdirSync(directory)
    .filter((file) => file.endsWith('.ts'))
    .sort()
    .flatMap((file) => {
      const name = file.slice(0, -'.ts'.length);
      const expectation = parseExpectation(name, readFileSync(`${directory}/${file}`, 'utf8'));
      return expectation ? [[name, expectation] as const] : [];
    });
  return Object.fromEntries(entries);
}

export const expectations: Readonly<Record<string, Expectation>> = readExpectations();
