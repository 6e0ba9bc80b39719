// Freestanding guests: procsim's runProgram against qemu-riscv64 on the committed binaries,
// same stdout, stderr and exit status. Also checks that the committed binaries are
// well-formed static riscv64 executables, that they are exactly what build.sh makes from
// the sources, and that the guest lists here and in build.sh agree.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FREESTANDING_GUESTS,
  GLIBC_GUESTS,
  GUEST_BUILD_SCRIPT,
  guestPath,
} from '../support/guests.ts';
import { caseLabel, expectSameAsQemu, oracleSuite, type OracleCase } from '../support/oracle.ts';

const ENV = ['PATH=/bin', 'HOME=/', 'PROCSIM_VAR=oracle'];
const SIGSEGV = 11;
const SIGILL = 4;

/** Deterministic pseudo-random bytes (an LCG), for binary stdin. */
function lcgBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

const BIG_STDIN = lcgBytes(100_000, 7);

const CASES: OracleCase[] = [
  { guest: 'hello', exitCode: 0, stdout: /^hello from procsim\nargc=1 envc=3\n$/ },
  { guest: 'hello', args: ['a', 'b c'], env: [], exitCode: 0, stdout: /argc=3 envc=0\n$/ },
  { guest: 'exit-code', args: ['0'], exitCode: 0 },
  { guest: 'exit-code', args: ['7'], exitCode: 7 },
  { guest: 'exit-code', args: ['255'], exitCode: 255 },
  { guest: 'exit-code', args: ['256'], exitCode: 0 },
  { guest: 'exit-code', args: ['300'], exitCode: 44 },
  { guest: 'exit-code', args: ['-1'], exitCode: 255 },
  { guest: 'exit-code', args: ['42', 'exit'], exitCode: 42 },
  { guest: 'exit-code', exitCode: 2, stderr: /^usage: exit-code/ },
  { guest: 'exit-code', args: ['x1'], exitCode: 2, stderr: /bad number 'x1'/ },
  { guest: 'cpu-loop', args: ['0'], exitCode: 0, stdout: /hash=cbf29ce484222325/ },
  { guest: 'cpu-loop', args: ['1000'], exitCode: 0, stdout: /hash=1a89bf05e0cf74a4/ },
  { guest: 'cpu-loop', args: ['200000'], exitCode: 0, stdout: /^cpu-loop n=200000 hash=[0-9a-f]{16}/ },
  { guest: 'cpu-loop', args: ['many'], exitCode: 2, stderr: /bad number 'many'/ },
  { guest: 'mem-traffic', args: ['0', '1'], exitCode: 0, stdout: /fresh memory zero: yes/ },
  { guest: 'mem-traffic', args: ['2', '1'], exitCode: 0, stdout: /round 1 sum=/ },
  { guest: 'mem-traffic', exitCode: 0, stdout: /rounds=4 mib=4 a=[0-9a-f]{16}/ },
  { guest: 'echo-args', exitCode: 0, stdout: /^\/bin\/echo-args\n$/ },
  { guest: 'echo-args', args: ['a b', '', 'c', 'ünï'], exitCode: 0, stdout: /\na b\n\nc\nünï\n$/ },
  { guest: 'cat', exitCode: 0, stdout: /^$/ },
  { guest: 'cat', stdin: 'line1\nline2', exitCode: 0, stdout: /^line1\nline2$/ },
  { guest: 'cat', stdin: BIG_STDIN, exitCode: 0, stdout: BIG_STDIN },
  { guest: 'cat', args: ['-'], stdin: 'via dash\n', exitCode: 0, stdout: /^via dash\n$/ },
  { guest: 'cat', args: ['/no/such/file'], exitCode: 1, stderr: /open error 2\n$/ },
  { guest: 'write-stderr', exitCode: 3, stdout: /stdout\n$/, stderr: /stderr\n$/ },
  { guest: 'fault', exitCode: 128 + SIGSEGV, stdout: /^fault: read\n$/ },
  { guest: 'fault', args: ['write'], exitCode: 128 + SIGSEGV },
  { guest: 'fault', args: ['rodata'], exitCode: 128 + SIGSEGV },
  { guest: 'fault', args: ['jump'], exitCode: 128 + SIGSEGV },
  { guest: 'fault', args: ['nope'], exitCode: 2, stderr: /^usage: fault/ },
  { guest: 'ill', exitCode: 128 + SIGILL, stdout: /^ill: zero\n$/ },
  { guest: 'ill', args: ['unimp'], exitCode: 128 + SIGILL },
  { guest: 'ill', args: ['csr'], exitCode: 128 + SIGILL },
];

oracleSuite('freestanding guests: procsim vs qemu-riscv64', ['qemu'], () => {
  for (const c of CASES) it(caseLabel(c), () => expectSameAsQemu(c, ENV));
});

// ELF64 little-endian header fields (offsets from the ELF specification).
const EM_RISCV = 243;
const ET_EXEC = 2;
const PT_LOAD = 1;
const PT_INTERP = 3;

describe('committed freestanding guest binaries', () => {
  it('build.sh lists the same guests as test/support/guests.ts', () => {
    const r = spawnSync('bash', [GUEST_BUILD_SCRIPT, '--list'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const expected = [
      ...FREESTANDING_GUESTS.map((g) => `freestanding ${g}`),
      ...GLIBC_GUESTS.map((g) => `glibc ${g}`),
    ];
    expect(r.stdout.trim().split('\n')).toEqual(expected);
  });

  for (const g of FREESTANDING_GUESTS) {
    it(`${g} is a static riscv64 executable`, () => {
      const elf = Buffer.from(readFileSync(guestPath(g)));
      expect(elf.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
      expect(elf[4]).toBe(2); // ELFCLASS64
      expect(elf[5]).toBe(1); // little-endian
      expect(elf.readUInt16LE(16)).toBe(ET_EXEC);
      expect(elf.readUInt16LE(18)).toBe(EM_RISCV);
      const phoff = Number(elf.readBigUInt64LE(32));
      const phentsize = elf.readUInt16LE(54);
      const phnum = elf.readUInt16LE(56);
      const types = Array.from({ length: phnum }, (_, i) => elf.readUInt32LE(phoff + i * phentsize));
      expect(types).not.toContain(PT_INTERP);
      // Flags per LOAD segment: R, R+X (text), R (rodata), R+W (data/bss); none W+X.
      const flags = types.flatMap((t, i) =>
        t === PT_LOAD ? [elf.readUInt32LE(phoff + i * phentsize + 4)] : [],
      );
      expect(flags.length).toBeGreaterThanOrEqual(2);
      expect(flags.filter((f) => (f & 3) === 3)).toEqual([]); // PF_X=1 | PF_W=2
    });
  }
});

oracleSuite('committed guest binaries match their sources', ['cross-gcc'], () => {
  it('build.sh reproduces scenarios/guests/bin byte for byte', () => {
    const out = mkdtempSync(join(tmpdir(), 'procsim-guests-'));
    try {
      const r = spawnSync('bash', [GUEST_BUILD_SCRIPT, 'free'], {
        encoding: 'utf8',
        env: { ...process.env, FREE_OUT: out, GLIBC_OUT: out },
      });
      expect(r.status, r.stderr).toBe(0);
      const g2 = spawnSync('bash', [GUEST_BUILD_SCRIPT, 'glibc'], {
        encoding: 'utf8',
        env: { ...process.env, FREE_OUT: out, GLIBC_OUT: out },
      });
      expect(g2.status, g2.stderr).toBe(0);
      for (const g of [...FREESTANDING_GUESTS, ...GLIBC_GUESTS]) {
        const fresh = readFileSync(join(out, g));
        const committed = readFileSync(guestPath(g));
        expect(fresh.equals(committed), `${g}: rebuild with \`npm run guests\` and commit bin/`).toBe(
          true,
        );
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
