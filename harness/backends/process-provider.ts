import { fileURLToPath } from 'node:url';
import { programArguments } from '../processes/bundle.ts';
import { ManagedProcess } from '../processes/processes.ts';
import { backendArguments, runnerBackendProvider } from './runner-backend.ts';

const serverScript = fileURLToPath(new URL('../../fixtures/backend/server.ts', import.meta.url));

/** Backends as OS processes running fixtures/backend/server.ts (the default provider). */
export const processBackendProvider = runnerBackendProvider('process', async (spec, ports) =>
  ManagedProcess.start({
    label: `backend "${spec.id}"`,
    command: process.execPath,
    args: [...programArguments(serverScript), ...backendArguments(spec, ports), '--exit-on-stdin-close'],
  }),
);
