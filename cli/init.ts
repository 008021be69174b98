import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { projectFileName } from './run.ts';
import { githubWorkflow, gitlabJob, projectFileTemplate } from './templates.ts';

export const initUsage = `usage: lbspec init [--dir DIR] [--force]
Writes, in DIR (default: this directory):
  ${projectFileName}                    your balancer's command and every capability with its meaning, all off
  .github/workflows/lbspec.yml   a GitHub Actions workflow: the suite in 3 shards, then one merged report
  lbspec.gitlab-ci.yml           the same as a GitLab CI job to include
An existing file is left as it is unless --force.`;

export async function initCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { dir: { type: 'string', default: '.' }, force: { type: 'boolean', default: false } },
  });
  const directory = resolve(values.dir);
  const files: [string, string][] = [
    [projectFileName, projectFileTemplate()],
    ['.github/workflows/lbspec.yml', githubWorkflow()],
    ['lbspec.gitlab-ci.yml', gitlabJob()],
  ];
  for (const [name, text] of files) {
    const path = join(directory, name);
    const shown = relative(process.cwd(), path) || path;
    if (existsSync(path) && !values.force) {
      process.stdout.write(`kept    ${shown} (it exists; --force replaces it)\n`);
      continue;
    }
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    process.stdout.write(`wrote   ${shown}\n`);
  }
  process.stdout.write(
    `\nNext: put your balancer's command in ${projectFileName}, switch on the capabilities it has, then run npx lbspec\n`,
  );
  return 0;
}
