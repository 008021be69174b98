// Stryker loads plugins as plain ESM; the test runner itself is TypeScript.
import { register } from 'tsx/esm/api';

register();
export const { strykerPlugins } = await import('./suite-test-runner.ts');
