// The variant registry: names, the error for a bad one, and that a variant is the reference
// kernel except for the syscalls it replaces.
import { describe, expect, it } from 'vitest';
import { CapturedConsole } from '../../../src/process/console.ts';
import { Kernel } from '../../../src/process/kernel.ts';
import { SYS, type SyscallName } from '../../../src/process/sysno.ts';
import { HANDLERS } from '../../../src/process/syscalls/table.ts';
import {
  createVariant,
  DEFAULT_KERNEL_VARIANT,
  isKernelVariant,
  KERNEL_VARIANTS,
  parseKernelVariant,
  type KernelVariantName,
} from '../../../src/process/variants/index.ts';

const kernel = (variant?: KernelVariantName) => new Kernel({ console: new CapturedConsole(), seed: 0, variant });

/** Syscalls whose handler differs from the reference one. */
function replaced(name: KernelVariantName): string[] {
  const h = createVariant(name).handlers;
  const out: string[] = [];
  for (const [sys, nr] of Object.entries(SYS)) if (h[nr] !== HANDLERS[nr]) out.push(sys);
  return out.sort();
}

describe('kernel variants', () => {
  it('are named, with reference the default', () => {
    expect(KERNEL_VARIANTS).toEqual(['reference', 'legacy-rollback', 'phase1-bridge']);
    expect(DEFAULT_KERNEL_VARIANT).toBe('reference');
    expect(kernel().variant.name).toBe('reference');
    for (const v of KERNEL_VARIANTS) {
      expect(isKernelVariant(v)).toBe(true);
      expect(parseKernelVariant(v)).toBe(v);
      expect(kernel(v).variant.name).toBe(v);
    }
    expect(isKernelVariant('Reference')).toBe(false);
  });

  it('an unknown name is a one-line error naming the choices', () => {
    const msg = 'unknown kernel variant "bogus" (choose one of: reference, legacy-rollback, phase1-bridge)';
    expect(() => parseKernelVariant('bogus')).toThrow(msg);
    expect(() => kernel('bogus' as KernelVariantName)).toThrow(msg);
    expect(() => parseKernelVariant('')).toThrow(/^unknown kernel variant ""/);
  });

  it('the reference dispatches through the shared table itself', () => {
    expect(createVariant('reference').handlers).toBe(HANDLERS);
    expect(replaced('reference')).toEqual([]);
    expect(createVariant('reference').events).toBe(true);
  });

  it('each variant replaces only the syscalls its semantics change', () => {
    const legacy: SyscallName[] = [
      'clone', 'execve', 'getpid', 'getppid', 'gettid', 'kill', 'renameat2', 'rt_sigsuspend', 'set_tid_address', 'setpgid',
      'setsid', 'tgkill', 'tkill', 'wait4', 'waitid',
    ];
    expect(replaced('legacy-rollback')).toEqual(legacy.sort());
    expect(replaced('phase1-bridge')).toEqual(['clone', 'wait4']);
    expect(createVariant('legacy-rollback').events).toBe(false);
    expect(createVariant('phase1-bridge').events).toBe(true);
    // Both hook exit (the child's descriptors); the reference does not.
    expect(createVariant('legacy-rollback').onExit).toBeTypeOf('function');
    expect(createVariant('phase1-bridge').onExit).toBeTypeOf('function');
    expect(createVariant('reference').onExit).toBeUndefined();
    // Only the legacy kernel sends no signals and ends a program at an ebreak (exit 1).
    expect(KERNEL_VARIANTS.map((v) => createVariant(v).signals)).toEqual([true, false, true]);
    expect(KERNEL_VARIANTS.map((v) => createVariant(v).onBreakpoint !== undefined)).toEqual([false, true, false]);
  });

  it('every kernel gets its own instance (variants keep per-kernel state)', () => {
    const a = createVariant('legacy-rollback');
    const b = createVariant('legacy-rollback');
    expect(a.handlers).not.toBe(b.handlers);
    expect(a.handlers[SYS.wait4]).not.toBe(b.handlers[SYS.wait4]);
  });

  it('the legacy kernel records no process events; the others do', () => {
    for (const v of KERNEL_VARIANTS) {
      const k = kernel(v);
      k.emit({ kind: 'spawn', pid: 7, ppid: 1 });
      expect(k.events.drain().events.length, v).toBe(v === 'legacy-rollback' ? 0 : 1);
    }
  });
});
