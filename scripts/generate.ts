// Writes the sources generated from others (today: the config schema's shape check).
//   npm run generate
import { writeFileSync } from 'node:fs';
import schema from '../reference/schema/config.v1.schema.json' with { type: 'json' };
import { shapeModulePath, shapeModuleSource } from '../reference/src/config/shape-module.ts';

writeFileSync(shapeModulePath, shapeModuleSource(schema as Record<string, unknown>));
process.stdout.write(`written: ${shapeModulePath}\n`);
