import { readFileSync } from 'node:fs';

/** A JSON file's content; a file that cannot be read or parsed is an error naming it. */
export function readJsonFile(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`);
  }
}
