import { spawnSync } from 'node:child_process';

/**
 * Runs `command args` to read a product's version line; throws naming the Debian packages to install
 * when the program is missing. Example: productVersion('nginx', ['-v'], /nginx\/(\S+)/, 'nginx').
 */
export function productVersion(
  command: string,
  args: readonly string[],
  pattern: RegExp,
  packages: string,
): string {
  const result = spawnSync(command, [...args], { encoding: 'utf8' });
  if (result.error) {
    const missing = (result.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(
      missing
        ? `${command} is not installed: apt-get install -y ${packages} (or pick another adapter with LBSPEC_ADAPTER)`
        : `cannot run ${command}: ${result.error.message}`,
    );
  }
  const match = pattern.exec(`${result.stdout}${result.stderr}`);
  if (!match)
    throw new Error(`${command} ${args.join(' ')} printed no version: ${result.stdout}${result.stderr}`);
  return match[1] as string;
}
