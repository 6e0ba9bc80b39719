// The procsim command.

import { UsageError } from './args.ts';
import { REPLAY_HELP, replayCommandMain } from './replay.ts';
import { RUN_HELP, runCommand } from './run.ts';

const HELP = `procsim: deterministic simulation of a RISC-V 64 Linux process model

Usage: procsim <command> [flags] ...

Commands:
${RUN_HELP.replace(/^/gm, '  ')}

${REPLAY_HELP.replace(/^/gm, '  ')}

  procsim help | --help      this text

Exit codes: the guest's own for run and replay (replay's findings: see above); 2 for a
usage error; 126 when the program cannot be executed (bad ELF), 127 when it does not exist.`;

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'run':
        if (rest[0] === '--help' || rest[0] === '-h') {
          console.log(RUN_HELP);
          return 0;
        }
        return runCommand(rest);
      case 'replay':
        if (rest[0] === '--help' || rest[0] === '-h') {
          console.log(REPLAY_HELP);
          return 0;
        }
        return replayCommandMain(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(HELP);
        return cmd === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(cmd)} (commands: run, replay, help)`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`procsim: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
