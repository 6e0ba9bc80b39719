#!/usr/bin/env node
// The procsim command: TypeScript sources run through tsx, so `npm ci` is the only setup step.
import { register } from 'tsx/esm/api';

import { writeSync } from 'node:fs';

// A closed pipe (`procsim ... | head`) ends the command quietly, as it would a C tool
// killed by SIGPIPE (exit status 128+13), instead of an unhandled-error dump. Any other
// failure to write our own output (stdout on /dev/full: ENOSPC; EIO) is one line and
// exit 2: the report was lost, so no verdict can be trusted to have reached anyone.
for (const [name, stream] of [['stdout', process.stdout], ['stderr', process.stderr]]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(141);
    const why = e.code === 'ENOSPC' ? 'ENOSPC: no space left on device' : (e.code ?? e.message);
    try {
      writeSync(2, `procsim: cannot write ${name}: ${why} (redirect it to a file or pipe that can take the output)\n`);
    } catch {
      // stderr is gone too: the exit status is all that is left
    }
    process.exit(2);
  });
}

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
