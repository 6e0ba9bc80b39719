// Gate reports: a table for people, JSON for programs, JUnit XML for CI systems. All three
// are built from the same GateReport, so they never disagree.

import type { Gate, GateResult } from './gate.ts';

export interface GateEntry extends GateResult {
  id: string;
  name: string;
  phase: number;
  /** Wall-clock seconds the gate took (measured by the caller; not part of any verdict). */
  seconds: number;
}

export interface GateReport {
  pass: boolean;
  phase: number;
  kernel: string;
  runs: number;
  seed: number;
  /** "I/N" when only a shard of the gates was evaluated. */
  shard?: string;
  /**
   * Set when an external emulator was gated (procsim gate --sut or --sut-module); `kernel` is
   * then the reference its outcomes are compared with. `label` names it ("SUT qemu-riscv64").
   */
  sut?: { label: string; command?: string; module?: string; name?: string; sutRuns: number; timeoutSeconds: number };
  gates: GateEntry[];
}

export function gateEntry(g: Gate, r: GateResult, seconds: number): GateEntry {
  return { id: g.id, name: g.name, phase: g.phase, ...r, seconds };
}

/** The report passes when every gate that was judged passes (and one was, if any was evaluated). */
export function makeReport(meta: Omit<GateReport, 'pass' | 'gates'>, gates: GateEntry[]): GateReport {
  const judged = gates.filter((g) => g.notJudged === undefined);
  return { pass: judged.every((g) => g.pass) && (judged.length > 0 || gates.length === 0), ...meta, gates };
}

/** What was gated, for the header and the verdict line. */
const subject = (r: GateReport): string => r.sut?.label ?? r.kernel;

const verdictOf = (g: GateEntry): string => (g.notJudged !== undefined ? 'not judged' : g.pass ? 'pass' : 'FAIL');

const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));

/** The table: one line per gate, the findings of failed gates below it, a verdict line. */
export function reportText(r: GateReport): string {
  const nameWidth = Math.max(4, ...r.gates.map((g) => g.name.length));
  const on = r.sut?.label ?? `kernel ${r.kernel}`;
  const sutMeta = r.sut !== undefined ? `, ${r.sut.sutRuns} SUT runs per program, timeout ${r.sut.timeoutSeconds} s, outcomes against kernel ${r.kernel}` : '';
  const lines = [`procsim gate: phases 0..${r.phase} on ${on} (runs ${r.runs}, seed ${r.seed}${sutMeta}${r.shard !== undefined ? `, shard ${r.shard}` : ''})`, ''];
  const width = r.gates.some((g) => g.notJudged !== undefined) ? 12 : 9;
  lines.push(`  ${pad('gate', 6)}${pad('name', nameWidth + 2)}${pad('verdict', width)}${pad('runs', 8)}time`);
  for (const g of r.gates) {
    lines.push(`  ${pad(g.id, 6)}${pad(g.name, nameWidth + 2)}${pad(verdictOf(g), width)}${pad(String(g.runs), 8)}${g.seconds.toFixed(1)} s`);
  }
  const skipped = r.gates.filter((g) => g.notJudged !== undefined);
  if (skipped.length > 0) lines.push('', ...skipped.map((g) => `${g.id} ${g.name}: not judged under --sut (${g.notJudged})`));
  for (const g of r.gates.filter((x) => !x.pass && x.notJudged === undefined)) {
    lines.push('', `${g.id} ${g.name}: FAIL`);
    if (g.detail !== undefined) lines.push(`  ${g.detail}`);
    const cx = g.counterexample;
    if (cx !== undefined) {
      lines.push(...cx.summary.split('\n').map((l) => `  ${l}`));
      lines.push(`  ${r.sut !== undefined ? "reproduce" : "replay"}: ${cx.replay}`);
      if (cx.trace !== undefined) lines.push(`  trace:  ${cx.trace}`);
    }
  }
  const judged = r.gates.filter((g) => g.notJudged === undefined);
  const failed = judged.filter((g) => !g.pass);
  const notJudged = skipped.length > 0 ? `; ${skipped.length} not judged (${skipped.map((g) => g.id).join(', ')})` : '';
  lines.push(
    '',
    judged.length === 0 && skipped.length > 0
      ? `FAIL: none of the ${r.gates.length} gates could be judged on ${subject(r)}`
      : failed.length === 0
        ? `PASS: all ${judged.length} gates of phases 0..${r.phase} ${skipped.length > 0 ? 'judged ' : ''}pass on ${subject(r)}${notJudged}`
        : `FAIL: ${failed.length} of ${judged.length} gates fail on ${subject(r)} (${failed.map((g) => g.id).join(', ')})${notJudged}`,
  );
  return `${lines.join('\n')}\n`;
}

export function reportJson(r: GateReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

const xml = (s: string): string =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!).replace(/[^\x09\x0a\x0d\x20-\x7e]/g, (c) => `&#${c.charCodeAt(0)};`);

/** JUnit XML: one testsuite per phase, one testcase per gate, a failure element for each failed gate. */
export function reportJunit(r: GateReport): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const failures = r.gates.filter((g) => !g.pass && g.notJudged === undefined).length;
  const total = r.gates.reduce((s, g) => s + g.seconds, 0);
  out.push(`<testsuites name="procsim gate" tests="${r.gates.length}" failures="${failures}" time="${total.toFixed(3)}">`);
  for (let phase = 0; phase <= r.phase; phase++) {
    const gs = r.gates.filter((g) => g.phase === phase);
    if (gs.length === 0) continue;
    const f = gs.filter((g) => !g.pass).length;
    const t = gs.reduce((s, g) => s + g.seconds, 0);
    const skipped = gs.filter((g) => g.notJudged !== undefined).length;
    out.push(`  <testsuite name="phase ${phase} (${xml(subject(r))})" tests="${gs.length}" failures="${f - skipped}"${skipped > 0 ? ` skipped="${skipped}"` : ''} time="${t.toFixed(3)}">`);
    for (const g of gs) {
      out.push(`    <testcase classname="procsim.gate.phase${phase}" name="${xml(`${g.id} ${g.name}`)}" time="${g.seconds.toFixed(3)}">`);
      if (g.notJudged !== undefined) out.push(`      <skipped message="${xml(`not judged under --sut (${g.notJudged})`)}"/>`);
      else if (!g.pass) {
        const cx = g.counterexample;
        const message = cx?.summary.split('\n')[0] ?? g.detail ?? 'gate failed';
        const body = [g.detail, cx?.summary, cx && `replay: ${cx.replay}`, cx?.trace && `trace: ${cx.trace}`].filter((x) => x !== undefined).join('\n');
        out.push(`      <failure message="${xml(message)}">${xml(body)}</failure>`);
      }
      out.push(`      <system-out>${xml(`runs: ${g.runs}${g.detail !== undefined ? `\n${g.detail}` : ''}`)}</system-out>`);
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
