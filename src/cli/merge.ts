// procsim merge: join the --json reports of the shards of one exploration sweep.

import { readFileSync } from 'node:fs';
import { MergeError, mergeReports, parseReport, type Report } from '../sim/explore/report.ts';
import { type FlagSpec, parseArgs, UsageError } from './args.ts';
import { writeOutput } from './args.ts';
import { printReport } from './explore.ts';

const MERGE_FLAGS: Record<string, FlagSpec> = { json: { value: true } };

export const MERGE_HELP = `procsim merge [--json OUT] REPORT.json...
  Join the --json reports of procsim explore --shard I/N runs of one sweep (same target,
  strategy, seed, runs). With all N shards the result is the report the unsharded sweep
  gives; with some, it says which shards it covers. Prints it like explore does.
  --json OUT         write the merged report as JSON
  Exit code: 0 no failure, 1 failures found, 2 usage error or reports that do not fit.`;

export function mergeCommand(argv: string[]): number {
  const args = parseArgs(argv, MERGE_FLAGS);
  if (args.positionals.length === 0) throw new UsageError('merge: name the reports to merge (see procsim merge --help)');
  let merged: Report;
  try {
    const reports = args.positionals.map((file) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        throw new MergeError(`${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      return parseReport(text, file);
    });
    merged = mergeReports(reports);
  } catch (e) {
    if (e instanceof MergeError) throw new UsageError(`merge: ${e.message}`);
    throw e;
  }
  printReport(merged, (line) => process.stdout.write(`${line}\n`));
  const out = args.flags.get('json')?.[0];
  if (out !== undefined) writeOutput('json', out, `${JSON.stringify(merged, null, 2)}\n`);
  return merged.failures.length > 0 ? 1 : 0;
}
