// Real Linux against the golden outcome sets: for every scenario, what real Linux printed and
// how it ended must be one of the outcomes procsim's exhaustive search found on the reference
// kernel (golden/SCENARIO/reference.outcomes.json). The judge is qemu-riscv64, the native
// build where qemu-user cannot follow (exec of a guest binary, PR_SET_CHILD_SUBREAPER), or
// the native busybox twin for busybox scenarios. Real Linux is first checked against the
// scenario's own expectations, so a broken oracle cannot pass.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { signalName } from '../../src/process/signals.ts';
import { readGoldenOutcomes } from '../../src/sim/golden/golden.ts';
import { expectViolation, outputLines } from '../../src/sim/golden/outcomes.ts';
import { listScenarios, type Scenario } from '../../src/sim/scenarios.ts';
import { NATIVE_BIN, requireBusybox, runNativeBusybox } from '../support/busybox.ts';
import { guardedSuite, oracleSuite } from '../support/oracle.ts';
import { guestPath, type GlibcGuest, type GuestName } from '../support/guests.ts';
import { runNative } from '../support/native.ts';
import { runHostProgram, runQemu, type GuestResult } from '../support/real-linux.ts';
import { asGuestResult, rootfsLinuxUnavailable, runInRootfsLinux } from '../support/rootfs-linux.ts';

const scenarios = listScenarios();
const of = (linux: Scenario['linux']): Scenario[] => scenarios.filter((s) => s.linux === linux);

/** Host paths the guests use outside their scratch directory (file-io's fresh directory). */
const hostPaths = (s: Scenario): string[] => s.argv.slice(1).filter((a) => a.startsWith('/tmp/procsim-scenario-'));

afterEach(() => {
  for (const s of scenarios) for (const p of hostPaths(s)) rmSync(p, { recursive: true, force: true });
});

/** Real Linux's run must satisfy the scenario and be in the reference outcome set. */
function expectInGoldenSet(s: Scenario, real: GuestResult): void {
  const status = real.signal !== undefined ? `killed ${signalName(real.signal)}` : `exited ${real.exitCode}`;
  const seen = { status, stdout: outputLines(real.stdout), stderr: outputLines(real.stderr) };
  expect(expectViolation(seen, s.expect), 'real Linux against the scenario\'s expectations').toBeUndefined();
  const set = readGoldenOutcomes(s.name, 'reference');
  const match = set.outcomes.find((o) => o.status === seen.status && o.stdout.join('') === seen.stdout.join('') && o.stderr.join('') === seen.stderr.join(''));
  expect(match, `real Linux ${JSON.stringify(seen)} is not among the ${set.outcomes.length} golden outcomes of ${s.name}`).toBeDefined();
}

const stdin = (s: Scenario): { stdin?: string } => (s.stdin !== undefined ? { stdin: s.stdin } : {});

oracleSuite('scenarios: real Linux (qemu-riscv64) is in the golden outcome set', ['cross-gcc', 'qemu'], () => {
  for (const s of of('qemu')) {
    it(s.name, () => {
      for (const p of hostPaths(s)) expect(existsSync(p), `${p} must not exist before the run`).toBe(false);
      const real = runQemu(guestPath(s.guest as GuestName), s.argv.slice(1), { argv0: s.argv[0], env: s.env, ...stdin(s) });
      expectInGoldenSet(s, real);
    });
  }
});

oracleSuite('scenarios: real Linux (native build) is in the golden outcome set', ['native-gcc'], () => {
  for (const s of of('native')) {
    it(s.name, () => {
      const real = runNative(s.guest as GlibcGuest, s.argv.slice(1), { argv0: s.argv[0], env: s.env, ...stdin(s) });
      expectInGoldenSet(s, real);
    });
  }
});

guardedSuite('scenarios: native busybox is in the golden outcome set', requireBusybox('busybox scenarios'), () => {
  for (const s of of('busybox-native')) {
    it(s.name, () => {
      let real: GuestResult;
      if (s.argv.length === 3 && s.argv[0] === 'sh' && s.argv[1] === '-c') real = runNativeBusybox(s.argv[2], stdin(s));
      else {
        // Any other shell invocation (sh -i): in a scratch HOME that is also its cwd, like the guest's /root.
        real = runHostProgram(`native busybox ${s.argv.join(' ')}`, join(NATIVE_BIN, s.argv[0]), s.argv.slice(1), {
          argv0: s.argv[0],
          env: (home) => ({ PATH: NATIVE_BIN, HOME: home }),
          ...stdin(s),
          timeoutMs: 20_000,
        });
      }
      expectInGoldenSet(s, real);
    });
  }
});

guardedSuite('scenarios: real Linux in the Debian rootfs (qemu via binfmt_misc) is in the golden outcome set', rootfsLinuxUnavailable(), () => {
  for (const s of of('rootfs-linux')) {
    it(s.name, () => {
      const real = runInRootfsLinux(s.argv, { env: s.env, ...(s.cwd !== undefined ? { cwd: s.cwd } : {}), timeoutMs: 60_000, ...stdin(s) });
      expectInGoldenSet(s, asGuestResult(real));
    });
  }
});
