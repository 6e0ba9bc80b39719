import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ERRNO, ERRNO_ALIASES, errnoName, type ErrnoName } from '../../../src/process/errno.ts';
import { FsError } from '../../../src/process/fs/fs-error.ts';
import { riscvToolchainOrSkip, runRiscvC } from './riscv.ts';

describe('errno table', () => {
  // x86-64 and riscv64 Linux both use asm-generic/errno.h, so the host's numbers are the oracle.
  const host = constants.errno as Record<string, number>;

  it('matches the host Linux numbers for every name the host knows', () => {
    const names = Object.keys(ERRNO) as ErrnoName[];
    const known = names.filter((n) => n in host);
    expect(known.length).toBeGreaterThan(70);
    for (const n of known) expect([n, ERRNO[n]]).toEqual([n, host[n]]);
    for (const [alias, v] of Object.entries(ERRNO_ALIASES)) if (alias in host) expect(v).toBe(host[alias]);
  });

  it('matches riscv64 glibc <errno.h> for every name, aliases included', () => {
    if (!riscvToolchainOrSkip('errno numbers vs riscv64 glibc')) return;
    const all = { ...ERRNO, ...ERRNO_ALIASES } as Record<string, number>;
    const names = Object.keys(all);
    const src = [
      '#include <errno.h>',
      '#include <stdio.h>',
      'int main(void) {',
      ...names.map((n) => `  printf("%s %d\\n", "${n}", ${n});`),
      '  return 0;',
      '}',
    ].join('\n');
    const got = Object.fromEntries(
      runRiscvC(src)
        .trim()
        .split('\n')
        .map((l) => [l.split(' ')[0], Number(l.split(' ')[1])]),
    );
    expect(got).toEqual(all);
  });

  it('has every host errno', () => {
    const aliases = new Set(Object.keys(ERRNO_ALIASES));
    const missing = Object.keys(host).filter((n) => !(n in ERRNO) && !aliases.has(n));
    expect(missing).toEqual([]);
  });

  it('numbers are unique and 1..133', () => {
    const nums = Object.values(ERRNO);
    expect(new Set(nums).size).toBe(nums.length);
    expect(Math.min(...nums)).toBe(1);
    expect(Math.max(...nums)).toBe(133);
  });

  it('maps numbers back to names', () => {
    expect(errnoName(2)).toBe('ENOENT');
    expect(errnoName(11)).toBe('EAGAIN');
    expect(errnoName(41)).toBeUndefined();
    expect(errnoName(0)).toBeUndefined();
  });

  it('FsError carries the name and number', () => {
    const e = new FsError('ENOTEMPTY', '/x');
    expect(e.errno).toBe(39);
    expect(e.code).toBe('ENOTEMPTY');
    expect(e.message).toBe('ENOTEMPTY: /x');
  });
});
