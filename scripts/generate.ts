// Writes the sources generated from others: the config schema's shape check and types, the capability
// tables, the config field reference and the catalogue of mistakes in docs/.
//   npm run generate
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { mistakes } from '../harness/mistakes/catalogue.ts';
import { mistakesDocs, mistakesDocsPath } from '../harness/mistakes/mistakes-docs.ts';
import { capabilityDocs, capabilityDocsPath } from '../harness/spec/capability-docs.ts';
import { configReference, configReferencePath } from '../harness/spec/config-reference.ts';
import { readScenarios } from '../harness/spec/scenario-catalogue.ts';
import { shapeModulePath, shapeModuleSource } from '../reference/src/config/shape-module.ts';
import { typesModulePath, typesModuleSource } from '../reference/src/config/types-module.ts';
import schema from '../schema/config.v1.schema.json' with { type: 'json' };
import { readCommandLine } from './command-line.ts';

readCommandLine(
  'usage: npm run generate   (no options; rewrites the generated config shape check and types, docs/capabilities.md, docs/config-fields.md and docs/mistakes.md)',
  {},
);

writeFileSync(shapeModulePath, shapeModuleSource(schema as Record<string, unknown>));
process.stdout.write(`written: ${shapeModulePath}\n`);
writeFileSync(typesModulePath, typesModuleSource(schema));
process.stdout.write(`written: ${typesModulePath}\n`);
mkdirSync(dirname(capabilityDocsPath), { recursive: true });
writeFileSync(capabilityDocsPath, capabilityDocs(readScenarios('features')));
process.stdout.write(`written: ${capabilityDocsPath}\n`);
writeFileSync(configReferencePath, configReference(schema as Record<string, unknown>));
process.stdout.write(`written: ${configReferencePath}\n`);
writeFileSync(mistakesDocsPath, mistakesDocs(mistakes));
process.stdout.write(`written: ${mistakesDocsPath}\n`);
