#!/usr/bin/env node
// The procsim command: TypeScript sources run through tsx, so `npm ci` is the only setup step.
import { register } from 'tsx/esm/api';

// A closed pipe (`procsim ... | head`) ends the command quietly, as it would a C tool
// killed by SIGPIPE (exit status 128+13), instead of an unhandled-error dump.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(141);
  });
}

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
