import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { parseElf } from '../../src/emu/elf.ts';
import { runProgram } from '../../src/process/run.ts';
import { GUEST_SRC_DIR } from '../support/guests.ts';
import { oracleSuite } from '../support/oracle.ts';
import { runQemu } from '../support/real-linux.ts';

// A static-pie (ET_DYN without an interpreter) is placed at the loader's own base. Debian 12's
// cross libc has no rcrt1.o, so the position-independent build uses the freestanding runtime.
oracleSuite('static-pie executables', ['cross-gcc', 'qemu'], () => {
  it('load at the PIE base and run like under qemu-riscv64', () => {
    const dir = mkdtempSync(join(tmpdir(), 'procsim-pie-'));
    chmodSync(dir, 0o755); // qemu runs sandboxed, as nobody (test/support/real-linux.ts)
    try {
      const out = join(dir, 'echo-pie');
      execFileSync('riscv64-linux-gnu-gcc', [
        ...['-O2', '-march=rv64gc', '-mabi=lp64d', '-ffreestanding', '-nostdlib', '-fPIE', '-static-pie'],
        ...['-Wl,--no-dynamic-linker', '-fno-stack-protector', '-msmall-data-limit=0', '-Irt', '-o', out],
        ...['echo-args.c', 'rt/start.S', 'rt/crt.c', 'rt/fmt.c', 'rt/string.c', '-lgcc'],
      ], { cwd: GUEST_SRC_DIR });
      const elf = new Uint8Array(readFileSync(out));
      expect(parseElf(elf).type).toBe(3); // ET_DYN
      const ours = runProgram({ elf, path: '/bin/echo-pie', argv: ['/bin/echo-pie', 'a', 'b c'] });
      const real = runQemu(out, ['a', 'b c'], { argv0: '/bin/echo-pie' });
      expect(real.stdout.toString()).toBe('/bin/echo-pie\na\nb c\n');
      expect(Buffer.from(ours.stdout).toString()).toBe(real.stdout.toString());
      expect(ours.exitCode).toBe(real.exitCode);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
