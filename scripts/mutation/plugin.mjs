// Stryker loads plugins as plain ESM; the test runner itself is TypeScript.
import { register } from 'tsx/esm/api';

register();
export const { strykerPlugins } = await import('./suite-test-runner.ts');

/** The runner's own option: "lbspec": { "tags": "<cucumber tag expression>" } bounds the scenarios. */
export const strykerValidationSchema = {
  properties: {
    lbspec: {
      type: 'object',
      additionalProperties: false,
      properties: {
        tags: { type: 'string', description: 'the scenarios a run may use, as a tag expression' },
      },
    },
  },
};
