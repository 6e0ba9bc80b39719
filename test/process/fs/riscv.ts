// Compiles small C programs for riscv64 and runs them under qemu-riscv64, to check our byte
// layouts and tables against real riscv64 glibc. Without the toolchain the caller skips with
// a visible warning, except in CI, where a missing toolchain is a failure.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CC = 'riscv64-linux-gnu-gcc';
const QEMU = 'qemu-riscv64';

function have(cmd: string): boolean {
  try {
    execFileSync(cmd, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** True when the riscv64 toolchain and qemu are present; warns (or throws in CI) otherwise. */
export function riscvToolchainOrSkip(what: string): boolean {
  if (have(CC) && have(QEMU)) return true;
  if (process.env.CI === 'true') throw new Error(`${what}: ${CC} and ${QEMU} are required in CI`);
  console.warn(`SKIPPED ${what}: ${CC} or ${QEMU} not installed`);
  return false;
}

/** Builds `source` statically for riscv64 and runs it with `stdin`; returns stdout. */
export function runRiscvC(source: string, stdin: Uint8Array = new Uint8Array(0)): string {
  const dir = mkdtempSync(join(tmpdir(), 'procsim-rv-'));
  try {
    const src = join(dir, 'prog.c');
    const exe = join(dir, 'prog');
    writeFileSync(src, source);
    execFileSync(CC, ['-static', '-O1', '-o', exe, src], { stdio: ['ignore', 'ignore', 'pipe'] });
    return execFileSync(QEMU, [exe], { input: stdin, encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
