// Builds the suite's images locally (nothing is pulled): lbspec/backend and lbspec/reference, each
// tagged with its content hash and :latest. Needs a Docker engine.
import { ensureImage, images } from '../harness/containers/images.ts';
import { readCommandLine } from './command-line.ts';

readCommandLine(
  'usage: npm run images   (no options; builds lbspec/backend and lbspec/reference; needs a Docker engine)',
  {},
);

for (const name of Object.keys(images) as (keyof typeof images)[]) {
  process.stdout.write(`${name}: ${await ensureImage(name)} (also lbspec/${name}:latest)\n`);
}
