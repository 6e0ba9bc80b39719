// Real workloads judged by real Linux: each case of test/support/workloads.ts (dash, bash,
// coreutils, git, python3 from the Debian rootfs) must give the same stdout, stderr and exit
// status under procsim as under qemu-riscv64 in the rootfs, with every child riscv64 too.
import { expect, it } from 'vitest';
import { guardedSuite, expectSameRun } from '../support/oracle.ts';
import { asGuestResult, rootfsLinuxUnavailable, runInRootfsLinux } from '../support/rootfs-linux.ts';
import { runWorkload, WORKLOAD_ENV, WORKLOADS } from '../support/workloads.ts';

guardedSuite('real workloads: procsim against Linux in the Debian rootfs', rootfsLinuxUnavailable(), () => {
  for (const w of WORKLOADS) {
    it(w.name, () => {
      const real = asGuestResult(
        runInRootfsLinux(w.argv, { env: WORKLOAD_ENV, cwd: w.cwd ?? '/root', timeoutMs: 60_000, ...(w.stdin !== undefined ? { stdin: w.stdin } : {}) }),
      );
      expect(real.stdout.toString(), `Linux stdout (stderr: ${real.stderr})`).toMatch(w.stdout);
      expect(real.exitCode, 'Linux exit status').toBe(w.exitCode ?? 0);
      expectSameRun(runWorkload(w), real, 'procsim');
    });
  }
});
