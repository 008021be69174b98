import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gradeCommand, gradeUsage } from './grade.ts';
import { initCommand, initUsage } from './init.ts';
import { listCommand, listUsage } from './list.ts';
import { mergeCommand, mergeUsage } from './merge.ts';
import { packageRoot } from './package-root.ts';
import { runSettings, runSuite } from './run.ts';
import { runOptions } from './run-arguments.ts';

const runUsage = `usage: lbspec [run] [OPTIONS] [cucumber-js options] [FEATURE...]
Runs the conformance suite against your balancer and writes its reports (conformance.md/html/json,
junit.xml, cucumber.html) to ./lbspec-reports. Settings come from these options, then LBSPEC_*
variables, then ./lbspec.json (\`lbspec init\` writes one).

${Object.entries(runOptions)
  .map(([flag, option]) => `  ${flag.padEnd(20)} ${option.help}`)
  .join('\n')}

Every other option goes to cucumber-js: --tags '@l7 and not @websocket', --name REGEX, --parallel N,
--shard 1/3, --dry-run; FEATURE paths are the package's (features/round-robin.feature) or your own.
Exit status: 0 when every selected scenario your balancer supports passed and at least one ran;
1 when one failed or nothing was checked; 2 when a setting is wrong; 130/143 when interrupted.
Example: npx lbspec --command "./my-lb --config {config}" --capabilities "l7,round-robin"`;

const usage = `usage: lbspec <command> [options]      (lbspec <command> --help for more)
  lbspec [run] ...           run the suite against your balancer (the default command)
  lbspec init                write lbspec.json (every capability, all off) and CI workflow examples
  lbspec list tasks|capabilities|scenarios
                             print the tasks, the capabilities and the scenarios with their ids
  lbspec grade ...           run the suite once per submission and write a scoreboard
  lbspec merge DIR...        join the reports of shards (--shard i/n) into one
  lbspec --version           print lbspec's version`;

const commands: Record<string, { usage: string; run: (args: string[]) => Promise<number> }> = {
  init: { usage: initUsage, run: initCommand },
  list: { usage: listUsage, run: listCommand },
  grade: { usage: gradeUsage, run: gradeCommand },
  merge: { usage: mergeUsage, run: mergeCommand },
  run: { usage: runUsage, run: runCommand },
};

async function runCommand(args: string[]): Promise<number> {
  const { settings, cucumberArgs } = runSettings(args, process.cwd(), process.env);
  return runSuite(cucumberArgs, settings);
}

/**
 * Runs the command line `args` and resolves to the exit status. A wrong command line or setting
 * prints its message with the command's usage, and exits 2.
 */
export async function main(args: readonly string[]): Promise<number> {
  const [first = '', ...rest] = args;
  if (first === '--version') {
    const manifest = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8'));
    process.stdout.write(`lbspec ${manifest.version}\n`);
    return 0;
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(`${usage}\n\n${runUsage}\n`);
    return 0;
  }
  const named = Object.hasOwn(commands, first) ? commands[first] : undefined;
  const command = named ?? (commands.run as (typeof commands)[string]);
  const commandArgs = named ? rest : [...args];
  if (commandArgs.includes('--help') || commandArgs.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(commandArgs);
  } catch (error) {
    process.stderr.write(`lbspec: ${(error as Error).message}\n\n${command.usage}\n`);
    return 2;
  }
}
