// The scenario gates on the kernel variants that model what the plan replaces: each verdict
// is what the variant's semantics give (src/process/variants/), asserted here.
//   P0.5 fails on both. phase1-bridge: under the rollback fork the first child of
//        `printf hi | cat` runs alone to its end before the shell can fork the reader, so
//        printf dies of SIGPIPE. legacy-rollback: `/bin/echo child` already fails (execve of
//        the static busybox is ENOSYS), and the shell's next malloc trips over the heap state
//        the child left in .data (kept) without its heap (undone).
//   P0.6 passes on phase1-bridge, which changes process syscalls only; it fails on
//        legacy-rollback, whose renameat2 (glibc's rename) is ENOSYS.
//   P3.1 fails on both: the rollback fork pays for its saved copy of the parent's writable
//        memory at fork (rollback.ts), so a fork costs the parent's resident data pages.
//   P3.2 passes on both: code pages are not part of that copy; the child runs the parent's.
// A failure's replay command reproduces its trace byte for byte in another process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KernelVariantName } from '../../src/process/variants/index.ts';
import type { GateResult } from '../../src/sim/gates/gate.ts';
import { missingShells } from '../../src/sim/gates/shells.ts';
import { SCENARIO_GATES } from '../../src/sim/gates/scenario-gates.ts';
import { REPO_ROOT } from '../support/guests.ts';

const gate = (id: string) => SCENARIO_GATES.find((g) => g.id === id)!;
const run = (id: string, kernel: KernelVariantName, outDir?: string): GateResult => {
  const r = gate(id).evaluate({ kernel, runs: 6, seed: 2, ...(outDir ? { outDir } : {}) });
  if (r instanceof Promise) throw new Error('synchronous gate expected');
  return r;
};

/** The words of a printed command line (its words need no quoting but for the guests' spaces). */
const words = (line: string): string[] => line.split(' ');

describe('scenario gates on the rollback variants', () => {
  it('SCENARIO_GATES: P0.5, P0.6, P3.1, P3.2 with their phases', () => {
    expect(SCENARIO_GATES.map((g) => [g.id, g.phase])).toEqual([['P0.5', 0], ['P0.6', 0], ['P3.1', 3], ['P3.2', 3]]);
  });

  it("P0.6 passes on phase1-bridge: the non-fork syscalls are the reference's", () => {
    expect(run('P0.6', 'phase1-bridge')).toMatchObject({ pass: true });
  });

  it('P0.6 fails on legacy-rollback: rename is renameat2, which is ENOSYS there', () => {
    const r = run('P0.6', 'legacy-rollback');
    expect(r.pass).toBe(false);
    expect(r.counterexample?.summary).toMatch(/^regress-file-io \(.*\) does not behave as on the reference kernel and real Linux/);
    expect(r.counterexample?.summary).toContain('+ rename a->b: -1 ENOSYS');
  });

  for (const kernel of ['legacy-rollback', 'phase1-bridge'] as const) {
    it.skipIf(missingShells() !== undefined)(`P0.5 fails on ${kernel}: the output never ends with "hi"; the replay command gives the same trace`, () => {
      const outDir = mkdtempSync(join(tmpdir(), 'procsim-gates-'));
      const r = run('P0.5', kernel, outDir);
      expect(r.pass).toBe(false);
      // legacy-rollback never prints "child": its execve of the static busybox is ENOSYS.
      const upTo = kernel === 'legacy-rollback' ? String.raw`help' for a list of built-in commands\.\\n\\n` : String.raw`.*child\\n`;
      expect(r.detail).toMatch(new RegExp(String.raw`^busybox sh prompt: stdout ".*${upTo}" does not end with the commands' output "child\\nhi"$`));
      const cx = r.counterexample!;
      expect(cx.summary).toContain(`on ${kernel}`);
      const [, ...args] = words(cx.replay); // after "procsim"
      const again = join(outDir, 'again.jsonl');
      const i = args.indexOf('/bin/busybox');
      const p = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/procsim.mjs'), ...args.slice(0, i), '--trace', again, ...args.slice(i)], { encoding: 'utf8' });
      expect(p.stderr).toMatch(/procsim: trace sha256:/);
      expect(readFileSync(again, 'utf8')).toBe(readFileSync(cx.trace!, 'utf8'));
    });

    it(`P3.1 fails on ${kernel}: fork copies the resident writable pages, so its cost grows with them`, () => {
      const r = run('P3.1', kernel);
      expect(r.pass).toBe(false);
      expect(r.counterexample?.summary).toMatch(/^fork-touch 64 16 0 on .*: a fork with nothing written costs \d+ pages \(at most \d+ expected\)$/);
      expect(run('P3.1', 'reference').pass).toBe(true);
    });

    it(`P3.2 passes on ${kernel}, with the reference's measures: code is not copied`, () => {
      const r = run('P3.2', kernel);
      expect(r.pass, r.detail).toBe(true);
      expect(r.detail).toBe(run('P3.2', 'reference').detail);
    });
  }
});
