import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import type { ContainerRuntimeClient } from 'testcontainers';
import { onHarnessExit } from '../processes/processes.ts';

type Testcontainers = typeof import('testcontainers');

/** Labels on every container the harness starts, so it can find and remove its own. */
export const ownerLabels: Readonly<Record<string, string>> = {
  'org.lbspec.managed': 'true',
  'org.lbspec.owner-host': hostname(),
  'org.lbspec.owner-pid': String(process.pid),
};

export interface ContainerRuntime {
  readonly testcontainers: Testcontainers;
  readonly client: ContainerRuntimeClient;
}

let runtime: Promise<ContainerRuntime> | undefined;

/**
 * The container engine, connected once per harness process. The reaper container cannot be pulled
 * here, so it is disabled and the harness removes its own containers: each when its scenario ends,
 * all that are left at exit (also on Ctrl-C), and at the next start those of harness processes that
 * died without cleaning up.
 */
export function containerRuntime(): Promise<ContainerRuntime> {
  runtime ??= connect();
  return runtime;
}

async function connect(): Promise<ContainerRuntime> {
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  // Containers share the host's network; without this, the client looks for the default bridge
  // network (absent under dockerd --bridge=none) to find the host.
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
  const testcontainers = await importTestcontainers();
  let client: ContainerRuntimeClient;
  try {
    client = await testcontainers.getContainerRuntimeClient();
  } catch (error) {
    throw missingEngine(error as Error);
  }
  await removeLeftovers(client);
  return { testcontainers, client };
}

/**
 * testcontainers, an optional dependency: users who never run containers do not install it (nor its
 * native add-ons). Without it, a run that needs containers says how to get it.
 */
export async function importTestcontainers(): Promise<Testcontainers> {
  try {
    return await import('testcontainers');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new Error(missingTestcontainers);
  }
}

/** What a run that needs containers says when testcontainers is not installed. */
export const missingTestcontainers =
  'containers need the optional package testcontainers, which is not installed: npm install --save-dev testcontainers@^11 (or run without containers: process backends and a command)';

/** Whether testcontainers can be loaded; a run that needs containers checks it before any scenario. */
export async function containerSupportProblem(): Promise<string | undefined> {
  try {
    await importTestcontainers();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** The error for a run that needs containers where no engine answers: what, and the two ways out. */
export function missingEngine(cause: Error): Error {
  return new Error(
    `no Docker engine is reachable (${cause.message.split('\n')[0]}). Start one as root with ` +
      '"dockerd --bridge=none --iptables=false &" (Debian package docker.io), or use process backends: ' +
      'npx cucumber-js without -p containers',
  );
}

/** Containers of this machine's harness processes that are no longer running. */
async function removeLeftovers(client: ContainerRuntimeClient): Promise<void> {
  const mine = (await client.container.list()).filter(
    (info) =>
      info.Labels['org.lbspec.managed'] === 'true' && info.Labels['org.lbspec.owner-host'] === hostname(),
  );
  const orphans = mine.filter((info) => !isAlive(Number(info.Labels['org.lbspec.owner-pid'])));
  await Promise.all(
    orphans.map((info) =>
      client.container
        .getById(info.Id)
        .remove({ force: true })
        .catch(() => {}),
    ),
  );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const liveContainers = new Set<string>();

/** Remembers a container to remove if the harness exits before its scenario does. */
export function trackContainer(id: string): () => void {
  liveContainers.add(id);
  return () => liveContainers.delete(id);
}

onHarnessExit(() => {
  // Exit handlers must be synchronous, so the docker CLI (where installed) removes what is left:
  // the containers known to be running, and any labelled as this process's (still being created).
  const labelled = spawnSync(
    'docker',
    ['ps', '-aq', '--filter', `label=org.lbspec.owner-pid=${process.pid}`],
    {
      encoding: 'utf8',
      timeout: 10_000,
    },
  );
  const ids = new Set([...liveContainers, ...(labelled.stdout ?? '').split('\n').filter(Boolean)]);
  if (ids.size > 0) spawnSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore', timeout: 20_000 });
});
