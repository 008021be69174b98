import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { listCapabilities, listScenarios, listTasks } from './catalogue.ts';
import { packageRoot } from './package-root.ts';

export const listUsage = `usage: lbspec list tasks|capabilities|scenarios [--json]
  tasks          each task with its title and the capabilities its scenarios need
  capabilities   each capability with its meaning and how many scenarios need it
  scenarios      each scenario's stable id, task, capabilities and title
  --json         the same as JSON, for scripts
Select scenarios by id with --tags '@id:rr-http-sequential', by task with --tags @task-01.`;

export async function listCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { json: { type: 'boolean', default: false } },
    allowPositionals: true,
  });
  const [what, ...extra] = positionals;
  if (extra.length > 0 || !['tasks', 'capabilities', 'scenarios'].includes(what ?? ''))
    throw new Error(`expected one of tasks, capabilities, scenarios; got "${positionals.join(' ')}"`);
  const scenarios = listScenarios(join(packageRoot, 'features'));
  const rows =
    what === 'tasks'
      ? listTasks(scenarios).map((t) => ({
          ...t,
          text: `${t.task}  ${t.title} (${t.scenarios} scenarios)\n         needs: ${t.capabilities.join(', ')}`,
        }))
      : what === 'capabilities'
        ? listCapabilities(scenarios).map((c) => ({
            ...c,
            text: `${c.capability.padEnd(30)} ${String(c.scenarios).padStart(3)}  ${c.meaning}`,
          }))
        : scenarios.map((s) => ({
            ...s,
            text: `${s.id.padEnd(44)} ${s.task}  ${s.title}  [${s.capabilities.join(', ')}]`,
          }));
  if (values.json) {
    const plain = rows.map(({ text: _text, ...row }) => row);
    process.stdout.write(`${JSON.stringify(plain, null, 2)}\n`);
  } else {
    process.stdout.write(`${rows.map((row) => row.text).join('\n')}\n`);
  }
  return 0;
}
