import { ManagedContainer } from '../containers/managed-container.ts';
import { readDeclaredCapabilities, readReload, readStopSignal, splitCommandLine } from './command.ts';
import { ProcessAdapter } from './process-adapter.ts';

/**
 * Your balancer as a container image, run with host networking and its run directory (holding the
 * config file) mounted at the same path:
 *   LBSPEC_IMAGE=my/balancer:1.0                       the image (built locally; nothing is pulled)
 *   LBSPEC_IMAGE_ARGS="--config {config}"              arguments to its entrypoint (this default)
 *   LBSPEC_CAPABILITIES / LBSPEC_CAPABILITIES_FILE, LBSPEC_NAME, LBSPEC_VERSION, LBSPEC_RELOAD and
 *   LBSPEC_STOP_SIGNAL as for commands
 */
export function containerAdapter(env: NodeJS.ProcessEnv = process.env): ProcessAdapter {
  const image = env.LBSPEC_IMAGE?.trim();
  if (!image) throw new Error('the container adapter needs LBSPEC_IMAGE, e.g. LBSPEC_IMAGE=my/balancer:1.0');
  const words = splitCommandLine(env.LBSPEC_IMAGE_ARGS ?? '--config {config}');
  if (!words.some((word) => word.includes('{config}'))) {
    throw new Error(`LBSPEC_IMAGE_ARGS="${env.LBSPEC_IMAGE_ARGS}" has no {config} placeholder`);
  }
  const reload = readReload(env);
  const description = {
    name: env.LBSPEC_NAME || image,
    version: env.LBSPEC_VERSION || image.split(':')[1] || 'latest',
    capabilities: readDeclaredCapabilities(env),
  };
  return new ProcessAdapter({
    name: description.name,
    describe: async () => description,
    commandLine: (configPath) => ({
      command: image,
      args: words.map((word) => word.replaceAll('{config}', configPath)),
    }),
    reload,
    stopSignal: readStopSignal(env),
    reportsConfigHash: reload.kind === 'signal',
    launch: (run) =>
      ManagedContainer.start({ label: run.label, image, command: run.args, mounts: [run.directory] }),
  });
}
