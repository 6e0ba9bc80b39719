// An exploration worker thread: runs the run numbers it is given (sweep.ts) and posts a
// message per run (for the progress display) and its tally at the end.

import { parentPort, workerData } from 'node:worker_threads';
import { runSweep, type SweepSpec } from './sweep.ts';
import type { Tally } from './tally.ts';

export interface WorkerJob {
  spec: SweepSpec;
  runs: number[];
}

export type WorkerMessage = { kind: 'run'; failed: boolean; outcome: string } | { kind: 'done'; tally: Tally };

const job = workerData as WorkerJob;
const post = (m: WorkerMessage): void => parentPort!.postMessage(m);
const tally = runSweep(job.spec, job.runs, [], (failed, outcome) => post({ kind: 'run', failed, outcome }));
post({ kind: 'done', tally });
