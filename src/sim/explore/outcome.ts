// What a run of an exploration comes to: its outcome (what an observer of the program sees)
// and, when the run is a finding, its failure class.
//
// Outcome: stdout, stderr, how the run ended and the status of every canonical process.
// Failure: a run that ends without p1's exit (deadlock, spent budget, a schedule that does
// not fit, a simulator crash), or in which some process was killed by a fault signal
// (SIGSEGV, SIGILL, SIGBUS, SIGFPE, SIGABRT), or which breaks a property the caller checks.
// The class ("deadlock", "fault SIGABRT", "property NAME", ...) is what shrinking keeps.

import { verdictText } from '../engine.ts';
import type { CutOutput } from '../../process/console.ts';
import type { TargetRun } from '../target.ts';

export interface Outcome {
  stdout: string;
  stderr: string;
  verdict: string;
  /** "p1 exited 0", "p2 killed SIGPIPE", ... in creation order. */
  procs: string[];
}

/** A property the caller checks on every run: a message when the run breaks it. */
export interface RunCheck {
  name: string;
  check: (run: TargetRun) => string | undefined;
}

export interface Failure {
  /** What shrinking preserves: "deadlock", "budget", "crash", "divergence", "fault SIGSEGV", "property NAME". */
  class: string;
  message: string;
}

const FAULT_SIGNALS = new Set(['SIGSEGV', 'SIGILL', 'SIGBUS', 'SIGFPE', 'SIGABRT']);

/** Output bytes as text: UTF-8 (malformed sequences become U+FFFD). */
const text = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');

/** The note that ends a stream an outcome kept only the start of. */
function cutNote(c: CutOutput | undefined): string {
  return c === undefined ? '' : `\n[procsim: ${c.bytes} more bytes not kept, sha256 ${c.sha256}]`;
}

export function outcomeOf(run: TargetRun): Outcome {
  return {
    stdout: text(run.stdout) + cutNote(run.cut?.stdout),
    stderr: text(run.stderr) + cutNote(run.cut?.stderr),
    verdict: verdictText(run.verdict),
    procs: run.procs.map((p) => `${p.name} ${p.status}`),
  };
}

export function failureOf(run: TargetRun, checks: readonly RunCheck[] = []): Failure | undefined {
  const v = run.verdict;
  if (v.kind !== 'exit') return { class: v.kind, message: verdictText(v) };
  for (const p of run.procs) {
    const sig = /^killed (SIG[A-Z0-9]+)/.exec(p.status)?.[1];
    if (sig !== undefined && FAULT_SIGNALS.has(sig)) return { class: `fault ${sig}`, message: `${p.name} ${p.status}` };
  }
  for (const c of checks) {
    const message = c.check(run);
    if (message !== undefined) return { class: `property ${c.name}`, message };
  }
  return undefined;
}
