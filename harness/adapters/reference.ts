import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { programArguments } from '../processes/bundle.ts';
import { allCapabilities, declareCapabilities } from '../spec/capabilities.ts';
import { ProcessAdapter } from './process-adapter.ts';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * How node runs the reference: V8's young generation capped at 16 MiB a semi-space, node 20's and
 * 22's size. Node 24 grows it further under a flood of large headers: the reference's resident
 * memory rose 166-170 MiB through the key-flood scenario (25,000 keys of 8,000 bytes, every one of
 * them garbage at once), against 65 MiB on node 20, though its table of keys stays bounded.
 */
export const referenceNodeFlags = ['--max-semi-space-size=16'];

/**
 * Runs a balancer built on the reference's CLI as a separate process: the reference itself, or one
 * of the deliberately broken balancers in fixtures/broken/ (same CLI, same config contract).
 */
export function referenceStyleAdapter(name: string, entryPoint: string): ProcessAdapter {
  const { version } = JSON.parse(readFileSync(new URL('package.json', `file://${projectRoot}`), 'utf8')) as {
    version: string;
  };
  const description = {
    name,
    version,
    capabilities: declareCapabilities(allCapabilities, 'not implemented by the reference yet'),
  };
  return new ProcessAdapter({
    name,
    describe: async () => description,
    commandLine: (configPath) => ({
      command: process.execPath,
      args: [
        ...referenceNodeFlags,
        ...programArguments(`${projectRoot}${entryPoint}`),
        '--config',
        configPath,
        '--exit-on-stdin-close',
      ],
    }),
    reload: { kind: 'signal', signal: 'SIGHUP' },
    reportsConfigHash: true,
  });
}

/** The reference balancer (reference/src/main.ts). */
export function referenceAdapter(): ProcessAdapter {
  return referenceStyleAdapter('reference', 'reference/src/main.ts');
}
