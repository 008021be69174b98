// `npm run mutation`: mutation testing of every group of decision modules (groups.ts), one Stryker
// run after another, each with its own reports (reports/mutation/<group>.{html,json}); then a table
// of scores in reports/mutation/summary.md. Exits 1 if a group scores below 90%.
//   npm run mutation                      every group (about 70 minutes on two cores)
//   npm run mutation -- --only wire       one group, or several: --only selection,wire
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCommandLine, usageError } from '../command-line.ts';
import { mutationGroups, mutationScore } from './groups.ts';

const breakBelow = 90;
const usage = `usage: npm run mutation -- [--only GROUP,...]
  --only  the groups to measure (default all: ${mutationGroups.map((group) => group.name).join(', ')})
Reports: reports/mutation/<group>.html and .json, and reports/mutation/summary.md.`;
const { values } = readCommandLine(usage, { only: { type: 'string' } });
const wanted = values.only?.split(',').map((name) => name.trim());
for (const name of wanted ?? [])
  if (!mutationGroups.some((group) => group.name === name)) usageError(`no group "${name}"`, usage);

const reports = join('reports', 'mutation');
mkdirSync(reports, { recursive: true });
const rows: string[] = [];
let below = 0;
for (const group of mutationGroups.filter((g) => !wanted || wanted.includes(g.name))) {
  process.stdout.write(
    `== ${group.name}: ${group.files.join(', ')}${group.tags ? ` (scenarios: ${group.tags})` : ''}\n`,
  );
  const started = Date.now();
  const run = spawnSync(
    'npx',
    [
      'stryker',
      'run',
      'scripts/mutation/stryker.config.mjs',
      '--mutate',
      [...group.files, '!**/*.test.ts'].join(','),
    ],
    {
      stdio: 'inherit',
      env: {
        ...process.env,
        LBSPEC_MUTATION_REPORT: group.name,
        ...(group.tags ? { LBSPEC_MUTATION_TAGS: group.tags } : {}),
      },
    },
  );
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  let result: string;
  try {
    const report = JSON.parse(readFileSync(join(reports, `${group.name}.json`), 'utf8')) as {
      files: Record<string, { mutants: { status: string }[] }>;
    };
    const statuses = Object.values(report.files).flatMap((file) =>
      file.mutants.map((mutant) => mutant.status),
    );
    const { detected, valid, score } = mutationScore(statuses);
    if (score < breakBelow) below++;
    result = `${detected} of ${valid} detected | ${score.toFixed(1)}%`;
  } catch (error) {
    below++;
    result = `no report (Stryker exited ${run.status}: ${(error as Error).message}) | -`;
  }
  rows.push(`| ${group.name} | ${minutes} min | ${result} |`);
}
const summary = [
  `# Mutation scores, ${new Date().toISOString().slice(0, 10)}`,
  '',
  '| group | time | mutants | score |',
  '| --- | --- | --- | --- |',
  ...rows,
  '',
].join('\n');
writeFileSync(join(reports, 'summary.md'), summary);
process.stdout.write(`\n${summary}`);
if (below > 0) process.stderr.write(`${below} group(s) below ${breakBelow}%\n`);
process.exit(below > 0 ? 1 : 0);
