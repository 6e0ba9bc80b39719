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
  gates: GateEntry[];
}

export function gateEntry(g: Gate, r: GateResult, seconds: number): GateEntry {
  return { id: g.id, name: g.name, phase: g.phase, ...r, seconds };
}

export function makeReport(meta: Omit<GateReport, 'pass' | 'gates'>, gates: GateEntry[]): GateReport {
  return { pass: gates.every((g) => g.pass), ...meta, gates };
}

const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));

/** The table: one line per gate, the findings of failed gates below it, a verdict line. */
export function reportText(r: GateReport): string {
  const nameWidth = Math.max(4, ...r.gates.map((g) => g.name.length));
  const lines = [`procsim gate: phases 0..${r.phase} on kernel ${r.kernel} (runs ${r.runs}, seed ${r.seed}${r.shard !== undefined ? `, shard ${r.shard}` : ''})`, ''];
  lines.push(`  ${pad('gate', 6)}${pad('name', nameWidth + 2)}${pad('verdict', 9)}${pad('runs', 8)}time`);
  for (const g of r.gates) {
    lines.push(`  ${pad(g.id, 6)}${pad(g.name, nameWidth + 2)}${pad(g.pass ? 'pass' : 'FAIL', 9)}${pad(String(g.runs), 8)}${g.seconds.toFixed(1)} s`);
  }
  for (const g of r.gates.filter((x) => !x.pass)) {
    lines.push('', `${g.id} ${g.name}: FAIL`);
    if (g.detail !== undefined) lines.push(`  ${g.detail}`);
    const cx = g.counterexample;
    if (cx !== undefined) {
      lines.push(...cx.summary.split('\n').map((l) => `  ${l}`));
      lines.push(`  replay: ${cx.replay}`);
      if (cx.trace !== undefined) lines.push(`  trace:  ${cx.trace}`);
    }
  }
  const failed = r.gates.filter((g) => !g.pass).length;
  lines.push(
    '',
    failed === 0
      ? `PASS: all ${r.gates.length} gates of phases 0..${r.phase} pass on ${r.kernel}`
      : `FAIL: ${failed} of ${r.gates.length} gates fail on ${r.kernel} (${r.gates.filter((g) => !g.pass).map((g) => g.id).join(', ')})`,
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
  const failures = r.gates.filter((g) => !g.pass).length;
  const total = r.gates.reduce((s, g) => s + g.seconds, 0);
  out.push(`<testsuites name="procsim gate" tests="${r.gates.length}" failures="${failures}" time="${total.toFixed(3)}">`);
  for (let phase = 0; phase <= r.phase; phase++) {
    const gs = r.gates.filter((g) => g.phase === phase);
    if (gs.length === 0) continue;
    const f = gs.filter((g) => !g.pass).length;
    const t = gs.reduce((s, g) => s + g.seconds, 0);
    out.push(`  <testsuite name="phase ${phase} (${xml(r.kernel)})" tests="${gs.length}" failures="${f}" time="${t.toFixed(3)}">`);
    for (const g of gs) {
      out.push(`    <testcase classname="procsim.gate.phase${phase}" name="${xml(`${g.id} ${g.name}`)}" time="${g.seconds.toFixed(3)}">`);
      if (!g.pass) {
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
