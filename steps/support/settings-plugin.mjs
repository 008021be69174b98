// A cucumber plugin that checks the run's settings once, before any scenario, so that a wrong one
// stops the run with its message instead of failing every scenario with it. cucumber loads plugins
// before any support code, so this shim registers TypeScript itself.
import { register } from 'tsx/esm/api';

register();
const { settingsProblem } = await import('./settings-check.ts');

export default {
  type: 'plugin',
  coordinator: async ({ operation, options, environment }) => {
    if (operation !== 'runCucumber') return;
    const problem = await settingsProblem(options, environment.env);
    if (problem === undefined) return;
    environment.stderr.write(`lbspec: nothing was run, a setting is wrong:\n  ${problem}\n`);
    process.exit(2);
  },
};
