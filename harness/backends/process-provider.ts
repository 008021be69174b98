import { fileURLToPath } from 'node:url';
import { fixtureProcess } from '../processes/bundle.ts';
import { ManagedProcess } from '../processes/processes.ts';
import { backendArguments, runnerBackendProvider } from './runner-backend.ts';

const serverScript = fileURLToPath(new URL('../../fixtures/backend/server.ts', import.meta.url));

/** Backends as OS processes running fixtures/backend/server.ts (the default provider). */
export const processBackendProvider = runnerBackendProvider('process', async (spec, ports) => {
  const server = fixtureProcess(serverScript);
  return ManagedProcess.start({
    label: `backend "${spec.id}"`,
    command: process.execPath,
    args: [...server.args, ...(await backendArguments(spec, ports)), '--exit-on-stdin-close'],
    env: server.env,
  });
});
