// Builds the suite's images locally (nothing is pulled): lbspec/backend and lbspec/reference, each
// tagged with its content hash and :latest. Needs a Docker engine.
import { ensureImage, images } from '../steps/support/containers/images.ts';

for (const name of Object.keys(images) as (keyof typeof images)[]) {
  process.stdout.write(`${name}: ${await ensureImage(name)} (also lbspec/${name}:latest)\n`);
}
