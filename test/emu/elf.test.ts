import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ElfError, loadElf, parseElf } from '../../src/emu/elf.ts';
import { ADDR_LIMIT, Memory } from '../../src/emu/memory.ts';
import { FsError } from '../../src/process/fs/fs-error.ts';
import { runProgram } from '../../src/process/run.ts';
import { Kernel } from '../../src/process/kernel.ts';
import { CapturedConsole } from '../../src/process/console.ts';

const HELLO = new Uint8Array(readFileSync(join(import.meta.dirname, '../../scenarios/guests/bin/hello')));

function patched(offset: number, bytes: number[]): Uint8Array {
  const b = HELLO.slice();
  b.set(bytes, offset);
  return b;
}

describe('ELF loader', () => {
  it('parses the committed freestanding guest', () => {
    const info = parseElf(HELLO);
    expect(info.type).toBe(2);
    expect(info.segments.some((s) => s.type === 1)).toBe(true);
  });

  it.each([
    ['not an ELF', new Uint8Array([1, 2, 3, 4, 5]), /not an ELF file/],
    ['truncated header', HELLO.slice(0, 40), /truncated ELF header/],
    ['32-bit', patched(4, [1]), /32-bit ELF/],
    ['big-endian', patched(5, [2]), /big-endian/],
    ['x86-64', patched(18, [62, 0]), /not RISC-V.*riscv64-linux-gnu-gcc/],
    ['relocatable', patched(16, [1, 0]), /not an executable/],
    ['program headers past the end', HELLO.slice(0, 100), /beyond end of file/],
  ])('rejects %s with one clear line', (_name, bytes, msg) => {
    let err: unknown;
    try {
      parseElf(bytes, 'guest');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ElfError);
    expect((err as Error).message).toMatch(msg);
    expect((err as Error).message).not.toContain('\n');
  });

  it('a corrupted ELF is refused or runs to a verdict, never crashes the harness', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(HELLO.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        (edits) => {
          const b = HELLO.slice();
          for (const [off, v] of edits) b[off] = v;
          try {
            const r = runProgram({ elf: b, path: '/g', argv: ['/g'], maxInsns: 2_000_000 });
            expect(r.exitCode).toBeGreaterThanOrEqual(0);
          } catch (e) {
            // Refused at load: a malformed ELF, or no ELF magic at all (execve's ENOEXEC).
            expect(e instanceof ElfError || (e instanceof FsError && e.code === 'ENOEXEC')).toBe(true);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

/** Header fields a fuzzer sets: [offset, bytes] in the ELF header, and per program header. */
const EHDR_FIELDS: [number, number][] = [[16, 2], [24, 8], [32, 8], [54, 2], [56, 2]];
const PHDR_FIELDS: [number, number][] = [[0, 4], [4, 4], [8, 8], [16, 8], [24, 8], [32, 8], [40, 8], [48, 8]];
/** Values that sit on the edges a loader checks: sizes of the file and the page, counts Linux caps, the top of the 64-bit range. */
const EDGES = [0n, 1n, 2n, 3n, 6n, 56n, 73n, 300n, 0xfffn, 0x1000n, 0xffffn, 0x10000n, BigInt(HELLO.length), BigInt(HELLO.length - 1), 0xffffffffn, 1n << 32n, BigInt(ADDR_LIMIT) - 0x1000n, 1n << 63n, (1n << 64n) - 1n];
const fieldValue = fc.oneof(fc.constantFrom(...EDGES), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.bigInt({ min: 0n, max: 0x20000n }));

/** A field edit: in the ELF header (phdr -1) or in program header `phdr`, of `bytes` little-endian bytes. */
const headerEdit = fc.oneof(
  fc.record({ phdr: fc.constant(-1), field: fc.constantFrom(...EHDR_FIELDS), value: fieldValue }),
  fc.record({ phdr: fc.nat(8), field: fc.constantFrom(...PHDR_FIELDS), value: fieldValue }),
);

function withEdits(edits: { phdr: number; field: [number, number]; value: bigint }[]): Uint8Array {
  const b = HELLO.slice();
  const dv = new DataView(b.buffer);
  const phoff = Number(dv.getBigUint64(32, true));
  for (const { phdr, field: [off, size], value } of edits) {
    const at = phdr < 0 ? off : phoff + 56 * phdr + off;
    for (let i = 0; i < size; i++) b[at + i] = Number((value >> BigInt(8 * i)) & 0xffn);
  }
  return b;
}

/** What execve of a fuzzed image may fail with besides a malformed ELF (Linux's errnos for a bad interpreter too). */
const EXEC_ERRNOS: string[] = ['ENOEXEC', 'ENOENT', 'ENOTDIR', 'EACCES', 'ELIBBAD', 'ENAMETOOLONG', 'ELOOP', 'EISDIR'];

describe('ELF headers from a fuzzer', () => {
  it('any values in the ELF and program header fields: refused at once with one line, or run to a verdict within the budget', () => {
    fc.assert(
      fc.property(fc.array(headerEdit, { minLength: 1, maxLength: 6 }), (edits) => {
        const b = withEdits(edits);
        const t0 = performance.now();
        try {
          const r = runProgram({ elf: b, path: '/g', argv: ['/g'], maxInsns: 2_000_000 });
          expect(r.exitCode).toBeGreaterThanOrEqual(0);
        } catch (e) {
          // A malformed ELF, or the errno execve gives for it: a PT_INTERP naming garbage is
          // an interpreter that does not exist (ENOENT), is not a file, or is not an ELF.
          expect(e instanceof ElfError || (e instanceof FsError && EXEC_ERRNOS.includes(e.code)), String(e)).toBe(true);
          expect((e as Error).message).not.toContain('\n');
        }
        // Not a performance bound: a hang guard (300 or 65535 program headers once took 24 s to 2 min).
        expect(performance.now() - t0).toBeLessThan(10_000);
      }),
      { numRuns: 300 },
    );
  }, 300_000);

  it('counts and sizes of program headers are checked against the file as Linux does', () => {
    const refused = (edits: { phdr: number; field: [number, number]; value: bigint }[], msg: RegExp) => expect(() => parseElf(withEdits(edits), 'g')).toThrow(msg);
    refused([{ phdr: -1, field: [56, 2], value: 300n }], /300 program headers \(Linux accepts 1 to 73\)/);
    refused([{ phdr: -1, field: [56, 2], value: 65535n }], /65535 program headers/);
    refused([{ phdr: -1, field: [56, 2], value: 0n }], /0 program headers/);
    refused([{ phdr: -1, field: [32, 8], value: BigInt(HELLO.length - 8) }], /program headers beyond end of file/);
    refused([{ phdr: -1, field: [54, 2], value: 64n }], /program header size 64, expected 56/);
  });
});

describe('initial process image', () => {
  const enc = (x: string) => new TextEncoder().encode(x);
  function initialStack(seed: number) {
    const k = new Kernel({ console: new CapturedConsole(), seed, files: [{ path: '/g', bytes: HELLO, mode: 0o755 }] });
    const p = k.spawnInit({ path: '/g', argv: [enc('/g'), enc('arg1')], envp: [enc('A=1')] });
    const sp = Number(p.cpu.getX(2));
    const word = (i: number) => Number(p.mem.readU64(sp + 8 * i));
    const argc = word(0);
    const str = (addr: number) => new TextDecoder().decode(p.mem.readCString(addr)!);
    const argv = Array.from({ length: argc }, (_, i) => str(word(1 + i)));
    let i = 1 + argc + 1;
    const envp: string[] = [];
    while (word(i) !== 0) envp.push(str(word(i++)));
    i++;
    const aux = new Map<number, number>();
    for (; word(i) !== 0; i += 2) aux.set(word(i), word(i + 1));
    return { sp, argv, envp, aux, random: p.mem.read(aux.get(25)!, 16), p };
  }

  it('lays out argc, argv, envp and auxv per the Linux ABI', () => {
    const s = initialStack(1);
    expect(s.sp % 16).toBe(0);
    expect(s.argv).toEqual(['/g', 'arg1']);
    expect(s.envp).toEqual(['A=1']);
    expect(s.aux.get(6)).toBe(4096); // AT_PAGESZ
    expect(s.aux.get(9)).toBe(Number(s.p.cpu.pc)); // AT_ENTRY is where execution starts
    expect(s.aux.get(5)).toBe(parseElf(HELLO).phnum); // AT_PHNUM
    expect(s.aux.get(23)).toBe(0); // AT_SECURE
    expect(s.aux.get(16)).toBe(0x112d); // AT_HWCAP: IMAFDC
    expect(new TextDecoder().decode(s.p.mem.readCString(s.aux.get(31)!)!)).toBe('/g'); // AT_EXECFN
  });

  it('AT_RANDOM comes from the run seed: same seed, same bytes; another seed, other bytes', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), (a, b) => {
        expect(initialStack(a).random).toEqual(initialStack(a).random);
        if (a !== b) expect(initialStack(a).random).not.toEqual(initialStack(b).random);
      }),
      { numRuns: 20 },
    );
  });
});

describe('segments anywhere in the Sv39 space but the stack', () => {
  const info = parseElf(HELLO);
  const loads = info.segments.map((seg, i) => ({ seg, i })).filter(({ seg }) => seg.type === 1);
  /** HELLO with every PT_LOAD's p_vaddr moved by `delta` (the 64-bit field at phdr + 16). */
  const moved = (delta: number): Uint8Array => {
    const b = HELLO.slice();
    const dv = new DataView(b.buffer);
    for (const { seg, i } of loads) dv.setBigUint64(info.phoff + i * info.phentsize + 16, BigInt(seg.vaddr + delta), true);
    return b;
  };
  const load = (b: Uint8Array) => loadElf(new Memory(), b, parseElf(b, 'guest'), { name: 'guest' });

  it('loads segments above 4 GiB where they ask to be', () => {
    const delta = 0x10_0000_0000;
    const b = moved(delta);
    const mem = new Memory();
    const img = loadElf(mem, b, parseElf(b, 'guest'), { name: 'guest' });
    const first = loads[0].seg;
    expect(img.brk).toBeGreaterThan(delta);
    expect(mem.read(first.vaddr + delta, 16)).toEqual(HELLO.slice(first.offset, first.offset + 16));
  });

  it.each([
    ['in the stack', 0xbff0_0000, /overlaps the stack area/],
    ['at 2^38', ADDR_LIMIT, /outside the 256 GiB guest address space/],
    ['across 2^38', ADDR_LIMIT - 0x1000, /outside the (256 GiB )?guest address space/],
  ])('refuses a segment %s with one clear line', (_name, at, msg) => {
    expect(() => load(moved(at - loads[0].seg.vaddr))).toThrow(msg);
  });
});
