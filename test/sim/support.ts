// Targets for the simulator tests: the glibc guests (built by the vitest global setup) at
// /bin/NAME in the default tree, and small assembled programs.
import { readGuest, type GlibcGuest } from '../support/guests.ts';
import type { Target } from '../../src/sim/target.ts';

const elfs = new Map<string, Uint8Array>();

export function guest(name: GlibcGuest, ...args: string[]): Target {
  let elf = elfs.get(name);
  if (elf === undefined) {
    elf = new Uint8Array(readGuest(name));
    elfs.set(name, elf);
  }
  return { path: `/bin/${name}`, elf, argv: [name, ...args] };
}

export function program(elf: Uint8Array): Target {
  return { path: '/bin/prog', elf, argv: ['prog'] };
}

export const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
