// Kernel variants: the reference kernel and two models of what the migration plan replaces,
// behind one interface and chosen by name (`procsim run --kernel NAME`). A variant is the
// reference syscall table with some handlers replaced, plus hooks the kernel calls where a
// variant changes more than one syscall (what exit does, whether events are recorded and
// signals sent, what an ebreak does).

import type { Kernel } from '../kernel.ts';
import type { Process } from '../process.ts';
import { SYS, type SyscallName } from '../sysno.ts';
import { HANDLERS, type Handler } from '../syscalls/table.ts';
import { legacyRollback } from './legacy-rollback.ts';
import { phase1Bridge } from './phase1-bridge.ts';

export const KERNEL_VARIANTS = ['reference', 'legacy-rollback', 'phase1-bridge'] as const;
export type KernelVariantName = (typeof KERNEL_VARIANTS)[number];
export const DEFAULT_KERNEL_VARIANT: KernelVariantName = 'reference';

/** What a variant module provides: replacement handlers by name, and its hooks. */
export interface VariantSpec {
  handlers: Partial<Record<SyscallName, Handler>>;
  /** Whether the kernel records process events (the legacy kernel predates them). */
  readonly events: boolean;
  /** Whether signals are sent at all (the legacy kernel delivers none: EPIPE comes without SIGPIPE). */
  readonly signals: boolean;
  /** p is exiting (already a zombie, its descriptors not yet closed). */
  onExit?(k: Kernel, p: Process): void;
  /** p executed an ebreak (the reference: SIGTRAP). */
  onBreakpoint?(k: Kernel, p: Process): void;
}

export interface KernelVariant extends Omit<VariantSpec, 'handlers'> {
  readonly name: KernelVariantName;
  /** The syscall table, by number. */
  readonly handlers: readonly (Handler | undefined)[];
}

export function isKernelVariant(name: string): name is KernelVariantName {
  return (KERNEL_VARIANTS as readonly string[]).includes(name);
}

/** The variant called `name`, or an error naming the valid choices. */
export function parseKernelVariant(name: string): KernelVariantName {
  if (isKernelVariant(name)) return name;
  throw new RangeError(`unknown kernel variant ${JSON.stringify(name)} (choose one of: ${KERNEL_VARIANTS.join(', ')})`);
}

/**
 * A fresh instance of a variant for one kernel (variants keep per-kernel state, such as the
 * rollback fork's remembered child). The reference uses the shared table as it is.
 */
export function createVariant(name: KernelVariantName): KernelVariant {
  switch (parseKernelVariant(name)) {
    case 'reference':
      return { name, handlers: HANDLERS, events: true, signals: true };
    case 'legacy-rollback':
      return instantiate(name, legacyRollback());
    case 'phase1-bridge':
      return instantiate(name, phase1Bridge());
  }
}

function instantiate(name: KernelVariantName, spec: VariantSpec): KernelVariant {
  const handlers = HANDLERS.slice();
  for (const [sys, h] of Object.entries(spec.handlers)) handlers[SYS[sys as SyscallName]] = h;
  return { ...spec, name, handlers };
}
