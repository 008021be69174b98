// Cost of one pick per algorithm as the pool grows from 10 to 10,000 backends, in ns per pick.
// A flat row is O(1); a row growing tenfold per column is O(n). Writes reports/bench-selection.md.
//   npm run bench:selection
import { mkdirSync, writeFileSync } from 'node:fs';
import { selectorBuilders } from '../reference/src/selection/builders.ts';
import { Load } from '../reference/src/selection/load.ts';
import { readCommandLine } from '../scripts/command-line.ts';

readCommandLine('usage: npm run bench:selection   (no options; writes reports/bench-selection.md)', {});
const sizes = [10, 100, 1_000, 10_000];
const picksPerRound = 200_000;
const rounds = 5;
const keys = Array.from({ length: 1_024 }, (_, i) => `user-${i}`);

function nsPerPick(algorithm: keyof typeof selectorBuilders, size: number): number {
  const backends = Array.from({ length: size }, (_, i) => ({
    id: `b${i}`,
    weight: 1 + (i % 5),
    load: new Load(i % 3),
  }));
  const selector = selectorBuilders[algorithm](backends);
  const picks = Math.max(2_000, Math.floor(picksPerRound / Math.max(1, size / 100)));
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint();
    // Keys vary per pick, as requests' keys do (consistent_hash hashes each; the others ignore it).
    for (let i = 0; i < picks; i++) selector.pick({ key: keys[i % keys.length] });
    best = Math.min(best, Number(process.hrtime.bigint() - start) / picks);
  }
  return best;
}

const rows = (Object.keys(selectorBuilders) as (keyof typeof selectorBuilders)[]).map((algorithm) => ({
  algorithm,
  nsPerPick: sizes.map((size) => nsPerPick(algorithm, size)),
}));
const table = [
  `| algorithm | ${sizes.map((size) => `${size} backends`).join(' | ')} | 10,000 / 10 |`,
  `|---|${sizes.map(() => '---').join('|')}|---|`,
  ...rows.map(
    ({ algorithm, nsPerPick }) =>
      `| ${algorithm} | ${nsPerPick.map((ns) => ns.toFixed(1)).join(' | ')} | ${((nsPerPick.at(-1) as number) / (nsPerPick[0] as number)).toFixed(1)}x |`,
  ),
];
const text = `# Selection cost (ns per pick, best of ${rounds} rounds, node ${process.version})\n\n${table.join('\n')}\n`;
mkdirSync('reports', { recursive: true });
writeFileSync('reports/bench-selection.md', text);
writeFileSync('reports/bench-selection.json', `${JSON.stringify({ sizes, rows }, null, 2)}\n`);
process.stdout.write(text);
