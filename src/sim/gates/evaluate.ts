// Evaluating gates: which gates a phase includes, and one gate's verdict, where a gate
// that throws is a failed gate with the error as its finding (a gate run never crashes the
// report: the other gates still run and the report says what broke).

import type { Gate, GateOptions, GateResult } from './gate.ts';

/** Gates of phases 0..phase, in phase order then id order (P0.1, P0.2, ..., P0.10). */
export function gatesUpTo(all: readonly Gate[], phase: number): Gate[] {
  const num = (id: string): number[] => id.replace(/^P/, '').split('.').map(Number);
  return all
    .filter((g) => g.phase <= phase)
    .sort((a, b) => {
      const [x, y] = [num(a.id), num(b.id)];
      return x[0] - y[0] || x[1] - y[1];
    });
}

/** Gates whose ids are listed (P0.1,P2.1); a RangeError names unknown ids. */
export function selectGates(all: readonly Gate[], ids: readonly string[]): Gate[] {
  const known = new Set(all.map((g) => g.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) throw new RangeError(`unknown gate ${unknown.join(', ')} (gates: ${all.map((g) => g.id).join(', ')})`);
  return all.filter((g) => ids.includes(g.id));
}

export async function evaluateGate(gate: Gate, opts: GateOptions): Promise<GateResult> {
  try {
    return await gate.evaluate(opts);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { pass: false, runs: 0, detail: `the gate could not be evaluated: ${message}` };
  }
}
