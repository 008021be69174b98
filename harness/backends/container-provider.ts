import { ensureImage } from '../containers/images.ts';
import { ManagedContainer } from '../containers/managed-container.ts';
import { backendArguments, runnerBackendProvider } from './runner-backend.ts';

/** Backends as containers of the fixture server image (built locally, host networking). */
export const containerBackendProvider = runnerBackendProvider('container', async (spec, ports) =>
  ManagedContainer.start({
    label: `backend "${spec.id}" (container)`,
    image: await ensureImage('backend'),
    command: await backendArguments(spec, ports),
  }),
);
