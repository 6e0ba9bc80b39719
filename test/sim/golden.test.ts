// The golden files: every scenario's golden trace and outcome set, on every kernel, is what
// the code produces now (this is how `npm test` checks them; `procsim golden --update`
// rewrites them); the reference kernel's outcomes are all ones the scenario allows. A
// difference is shown as the first differing lines; a corrupt file is one line naming it.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KERNEL_VARIANTS } from '../../src/process/variants/index.ts';
import { lineDiff } from '../../src/sim/golden/diff.ts';
import {
  checkGoldenOutcomes,
  checkGoldenTrace,
  GOLDEN_DIR,
  GoldenError,
  goldenPath,
  parseGoldenOutcomes,
  parseGoldenTrace,
  readGoldenOutcomes,
} from '../../src/sim/golden/golden.ts';
import { DEBIAN_ROOTFS, findScenario, listScenarios, scenarioTarget } from '../../src/sim/scenarios.ts';
import { runContractViolations } from '../../src/sim/contracts/index.ts';
import { goldenRun } from '../../src/sim/golden/outcomes.ts';
import { RoundRobinStrategy } from '../../src/sim/strategies/round-robin.ts';
import { checkTraceContracts } from '../../src/sim/golden/trace-checks.ts';
import { BUSYBOX_ROOTFS } from '../support/busybox.ts';

const haveBusybox = existsSync(join(BUSYBOX_ROOTFS, 'bin', 'busybox'));
if (!haveBusybox) console.warn('[golden] SKIPPED busybox scenarios: busybox not fetched (fix: npm run busybox)');
// Under CI a missing rootfs fails the Debian scenarios (scenarioTarget names the fix).
const haveDebian = existsSync(join(DEBIAN_ROOTFS, 'bin', 'sh')) || process.env.CI === 'true';
if (!haveDebian) console.warn('[golden] SKIPPED Debian rootfs scenarios: rootfs not built (fix: npm run rootfs)');

describe('golden files match a run now', () => {
  for (const s of listScenarios()) {
    for (const k of KERNEL_VARIANTS) {
      it.skipIf((s.busybox && !haveBusybox) || (s.debian && !haveDebian))(`${s.name} on ${k}`, () => {
        for (const c of [checkGoldenTrace(s, k), checkGoldenOutcomes(s, k)]) {
          expect(c.state, `${c.file}: ${c.state}; if the change is intended: procsim golden --update\n${c.diff}`).toBe('same');
          expect(c.violations, c.file).toEqual([]);
        }
      });
    }
  }
});

describe('golden outcome sets', () => {
  it('the reference kernel finds every order of fork-wait children, in a complete search', () => {
    const set = readGoldenOutcomes('fork-wait', 'reference');
    expect(set.complete).toBe(true);
    const orders = set.outcomes.map((o) => o.stdout.filter((l) => l.startsWith('child')).map((l) => l[6]).join(''));
    expect(orders.sort()).toEqual(['012', '021', '102', '120', '201', '210']);
  });

  it('exec-in-child: the parent line lands anywhere among the exec\'d child\'s lines, nothing else moves', () => {
    const set = readGoldenOutcomes('exec-in-child', 'reference');
    const at = set.outcomes.map((o) => o.stdout.indexOf('parent: waiting\n')).sort();
    expect(at).toEqual([0, 1, 2, 3]);
  });

  it('the legacy kernel breaks fork-wait, as the plan says: every process is pid 1 with parent 0', () => {
    const [o, ...rest] = readGoldenOutcomes('fork-wait', 'legacy-rollback').outcomes;
    expect(rest).toEqual([]);
    expect(o.stdout).toContain('child 0: ppid matches: no\n');
    expect(o.status).toBe('exited 1');
  });
});

describe('golden file errors and diffs', () => {
  const s = findScenario('regress-exit-code')!;

  it('a changed golden file shows the first differing lines with context', () => {
    const dir = mkdtempSync(join(tmpdir(), 'procsim-golden-'));
    mkdirSync(join(dir, s.name));
    const real = readFileSync(goldenPath(s.name, 'reference', 'outcomes'), 'utf8');
    writeFileSync(goldenPath(s.name, 'reference', 'outcomes', dir), real.replace('"exited 44"', '"exited 45"'));
    const c = checkGoldenOutcomes(s, 'reference', { dir });
    expect(c.state).toBe('differs');
    expect(c.diff).toMatch(/^- +"status": "exited 45",\n\+ +"status": "exited 44",$/m);
    expect(c.diff).toMatch(/^--- .*\(golden\)\n\+\+\+ now\n@@ line \d+: 1 line\(s\) -> 1 line\(s\) @@\n/);
    expect(checkGoldenTrace(s, 'reference', { dir }).state).toBe('missing');
  });

  it('lineDiff: context before and after, long runs cut short, nothing for equal texts', () => {
    const a = Array.from({ length: 40 }, (_, i) => `l${i}`);
    const b = [...a.slice(0, 10), ...Array.from({ length: 20 }, (_, i) => `new${i}`), ...a.slice(30)];
    const d = lineDiff(a.join('\n'), b.join('\n')).split('\n');
    expect(d.slice(2, 6)).toEqual(['@@ line 11: 20 line(s) -> 20 line(s) @@', '  l7', '  l8', '  l9']);
    expect(d).toContain('- l10');
    expect(d).toContain('+ new0');
    expect(d).toContain('- ... 8 more');
    expect(d.slice(-3)).toEqual(['  l30', '  l31', '  l32']);
    expect(lineDiff('x\ny', 'x\ny')).toBe('');
  });

  const corrupt: [string, 'trace' | 'outcomes', (t: string) => string, RegExp][] = [
    ['truncated trace', 'trace', (t) => t.slice(0, t.length / 2), /line \d+ is not a JSON object|does not end with a newline/],
    ['edited trace body', 'trace', (t) => t.replace('"exit_group"', '"exit"'), /the footer hash does not match the body/],
    ['not a trace', 'trace', () => '{"a":1}\n{"b":2}\n{"c":3}\n', /not a procsim trace header/],
    ['outcomes not JSON', 'outcomes', (t) => t.slice(0, 20), /not JSON/],
    ['an outcome without stdout', 'outcomes', (t) => t.replace('"stdout"', '"stdoot"'), /outcome 1 lacks/],
  ];
  for (const [what, kind, spoil, why] of corrupt) {
    it(`a corrupt golden file (${what}) is one line naming the file and the fix, in check and in read`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'procsim-golden-'));
      mkdirSync(join(dir, s.name));
      const file = goldenPath(s.name, 'reference', kind, dir);
      writeFileSync(file, spoil(readFileSync(goldenPath(s.name, 'reference', kind), 'utf8')));
      const check = () => (kind === 'trace' ? checkGoldenTrace(s, 'reference', { dir }) : checkGoldenOutcomes(s, 'reference', { dir }));
      let err: unknown;
      try {
        check();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(GoldenError);
      const m = (err as Error).message;
      expect(m).toMatch(why);
      expect(m).toContain(file.split('/').slice(-2).join('/'));
      expect(m).toContain('procsim golden --update');
      expect(m).not.toContain('\n');
      expect(() => (kind === 'trace' ? parseGoldenTrace : parseGoldenOutcomes)(readFileSync(file, 'utf8'), file)).toThrow(GoldenError);
      // --update replaces it instead of stopping.
      const c = kind === 'trace' ? checkGoldenTrace(s, 'reference', { dir, update: true }) : checkGoldenOutcomes(s, 'reference', { dir, update: true });
      expect(c.state).toBe('differs');
    });
  }

  it('a missing golden outcome set names the command that creates it', () => {
    expect(() => readGoldenOutcomes('regress-exit-code', 'reference', join(GOLDEN_DIR, 'nowhere'))).toThrow(/procsim golden --update --scenario regress-exit-code/);
  });
});

describe('trace contracts on golden traces', () => {
  const lines = readFileSync(goldenPath('fork-wait', 'reference', 'trace'), 'utf8').split('\n').slice(1, -2);
  const edit = (f: (l: string[]) => string[]): string[] => checkTraceContracts(f([...lines]));

  it('every reference golden trace satisfies them (checked above); fork-wait has reaps and waits to check', () => {
    expect(checkTraceContracts(lines)).toEqual([]);
    expect(lines.filter((l) => l.includes('"event":"reap"')).length).toBe(3);
  });

  it('a second reap, a wait4 with another status, a step after exit, a fork returning a stranger: each named', () => {
    const reap = lines.findIndex((l) => l.includes('"event":"reap"'));
    expect(edit((l) => [...l.slice(0, reap + 1), l[reap], ...l.slice(reap + 1)])).toEqual([expect.stringMatching(/reaped 2 times/)]);
    expect(edit((l) => l.map((x) => (x.includes('"sys":"wait4"') ? x.replace('"status":"exited 1"', '"status":"exited 9"') : x)))).toEqual([
      expect.stringMatching(/^never wait4 reports p3 with a status other than its exit's \(exited 1\): happens at step \d+ p1 wait4/),
    ]);
    const exit = lines.findIndex((l) => l.includes('"event":"exit","proc":"p2"'));
    const late = JSON.stringify({ step: 1000, proc: 'p2', sys: 'getpid', args: {}, ret: 'p2' });
    expect(edit((l) => [...l.slice(0, exit + 1), late, ...l.slice(exit + 1)])).toEqual([expect.stringMatching(/^never p2 acts after its exit: happens at step 1000 p2 getpid/)]);
    expect(edit((l) => l.map((x) => (x.includes('"sys":"clone"') ? x.replace('"ret":"p2"', '"ret":"p3"') : x)))).toEqual([
      expect.stringMatching(/^never fork returns a process that is not its new child/),
    ]);
  });

  it('the run-level contract properties judge golden runs of any program, and catch a kernel that breaks them', () => {
    const s = findScenario('fork-wait')!;
    const run = (kernel: 'reference' | 'legacy-rollback') => goldenRun(scenarioTarget(s, kernel), new RoundRobinStrategy(), true);
    expect(runContractViolations(run('reference'))).toEqual([]);
    // The legacy kernel has no process table events and everyone is pid 1.
    const legacy = runContractViolations(run('legacy-rollback'));
    expect(legacy.map((v) => v.slice(0, 4))).toEqual(expect.arrayContaining(['P1.1', 'P1.2']));
    expect(legacy.every((v) => /^P\d\.\d: /.test(v))).toBe(true);
  });

  it('a trace checker passed in replaces the default: its findings are the check\'s violations', () => {
    const s = findScenario('regress-exit-code')!;
    const c = checkGoldenTrace(s, 'reference', { checkTrace: (body) => [`${body.length} lines seen`] });
    expect(c.violations).toEqual([expect.stringMatching(/^\d+ lines seen$/)]);  // and no run-level contract violations
  });
});
