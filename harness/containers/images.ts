import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleEntry, bundleProgram } from '../processes/bundle.ts';
import { containerRuntime } from './engine.ts';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The images the suite builds: a program of this project, bundled, on the host's own node. */
export const images = {
  backend: 'fixtures/backend/server.ts',
  reference: 'reference/src/main.ts',
} as const;

export type BuiltImage = keyof typeof images;

/**
 * The shared libraries a binary loads, from `ldd` output: resolved paths and the loader.
 * Example line: "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" -> /lib/x86_64-linux-gnu/libc.so.6
 */
export function sharedLibraries(lddOutput: string): string[] {
  const libraries: string[] = [];
  for (const line of lddOutput.split('\n')) {
    const resolved = /=>\s+(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (resolved?.[1]) libraries.push(resolved[1]);
  }
  return libraries;
}

const built = new Map<BuiltImage, Promise<string>>();

/**
 * Builds (once, and only if no image with the same content exists) an image holding the host's
 * node binary, the shared libraries it needs and the bundled program, which is its entrypoint:
 * FROM scratch, so nothing is pulled. Tagged lbspec/<name>:<content hash> and lbspec/<name>:latest. Returns the hash tag.
 */
export function ensureImage(name: BuiltImage): Promise<string> {
  let image = built.get(name);
  if (!image) {
    image = buildImage(name);
    built.set(name, image);
  }
  return image;
}

async function buildImage(name: BuiltImage): Promise<string> {
  const { testcontainers, client } = await containerRuntime();
  const { files, hash: programHash } = bundleProgram(join(projectRoot, images[name]));
  const node = await realpath(process.execPath);
  const nodeStat = await stat(node);
  const libraries = sharedLibraries(execFileSync('ldd', [node], { encoding: 'utf8' }));
  const dockerfile = `FROM scratch\nCOPY rootfs/ /\nENTRYPOINT ["/usr/bin/node", "/app/${bundleEntry}"]\n`;
  const hash = createHash('sha256')
    .update(programHash)
    .update(dockerfile)
    .update(`${node} ${nodeStat.size} ${nodeStat.mtimeMs} ${process.version} ${libraries.join(' ')}`)
    .digest('hex')
    .slice(0, 16);
  const tag = `lbspec/${name}:${hash}`;
  if (!(await client.image.exists(testcontainers.ImageName.fromString(tag)))) {
    const context = await mkdtemp(join(tmpdir(), `lbspec-image-${name}-`));
    try {
      const rootfs = join(context, 'rootfs');
      const place = async (source: string, target: string) => {
        await mkdir(dirname(join(rootfs, target)), { recursive: true });
        await copyFile(await realpath(source), join(rootfs, target));
      };
      await place(node, '/usr/bin/node');
      for (const library of libraries) await place(library, library);
      await mkdir(join(rootfs, 'app'), { recursive: true });
      for (const [file, contents] of files) await writeFile(join(rootfs, 'app', file), contents);
      await mkdir(join(rootfs, 'tmp'), { recursive: true });
      await writeFile(join(context, 'Dockerfile'), dockerfile);
      await testcontainers.GenericContainer.fromDockerfile(context).build(tag, { deleteOnExit: false });
    } finally {
      await rm(context, { recursive: true, force: true });
    }
  }
  const docker = client.container.dockerode;
  await docker.getImage(tag).tag({ repo: `lbspec/${name}`, tag: 'latest' });
  // Earlier builds are superseded: drop their tags so images do not pile up run after run.
  const earlier = (await docker.listImages({ filters: { reference: [`lbspec/${name}`] } }))
    .flatMap((image) => image.RepoTags ?? [])
    .filter((repoTag) => repoTag !== tag && repoTag !== `lbspec/${name}:latest`);
  await Promise.all(
    earlier.map((repoTag) =>
      docker
        .getImage(repoTag)
        .remove()
        .catch(() => {}),
    ),
  );
  return tag;
}
