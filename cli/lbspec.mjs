#!/usr/bin/env node
// The lbspec command (see `lbspec --help`). Its modules are TypeScript, compiled as they load with
// the package's own tsconfig, not the one of the directory it runs in.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

// Output piped into a command that stops reading early (lbspec list scenarios | head) is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
