// A cucumber plugin that checks the run's settings once, before any scenario, so that a wrong one
// stops the run with its message instead of failing every scenario with it. cucumber loads plugins
// before any support code, so this shim registers TypeScript itself, through the module the
// support code lists first: a module runs once, so the loader is registered once. Registered twice,
// the main process compiled every file unlike its workers did, and coverage merged from both
// counted the wrong lines (hooks.ts: 54% instead of 87%).
import './register.mjs';

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
