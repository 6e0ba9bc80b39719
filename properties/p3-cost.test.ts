// P3.1 and P3.2 on the reference kernel, and their teeth: the same gates on a memory whose
// fork copies pages eagerly (Memory.fork wrapped for the test) must fail, naming why.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Memory, PAGE_SIZE } from '../src/emu/memory.ts';
import { CODE_SHARING_GATE } from '../src/sim/gates/code-sharing.ts';
import { FORK_COST_GATE } from '../src/sim/gates/fork-cost.ts';
import type { GateResult } from '../src/sim/gates/gate.ts';
import { materializedPages } from '../src/sim/gates/pages.ts';

const sync = (r: GateResult | Promise<GateResult>): GateResult => {
  if (r instanceof Promise) throw new Error('synchronous gate expected');
  return r;
};

/** Memory.fork, then give the child a private copy of every page `which` picks. */
function copyingFork(which: (child: Memory) => number[]): void {
  const fork = Memory.prototype.fork;
  vi.spyOn(Memory.prototype, 'fork').mockImplementation(function (this: Memory) {
    const child = fork.call(this);
    for (const a of which(child)) child.poke(a, child.peek(a, PAGE_SIZE));
    return child;
  });
}

/** Every mapped page of a memory (touched or not). */
function mappedPages(m: Memory): number[] {
  const out: number[] = [];
  for (let vpn = 0; vpn < 1 << 20; vpn++) if (m.protOf(vpn) >= 0 && m.protOf(vpn) & 1) out.push(vpn * PAGE_SIZE);
  return out;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('P3.1 fork cost', () => {
  it('P3.1 fork cost: constant in address-space size and resident pages, one page per page the child writes (reference)', () => {
    const r = sync(FORK_COST_GATE.evaluate({ kernel: 'reference', runs: 1, seed: 1 }));
    expect(r.pass, r.detail).toBe(true);
    expect(r.detail).toMatch(/^physical pages per fork: (\d+) \(64 pages mapped\), \1 \(256 MiB mapped\), \1 \(16 MiB resident\), \d+ \(child writes 256 pages\)$/);
  });

  it('P3.1 fails on a fork that copies the resident pages', () => {
    copyingFork((child) => materializedPages(child));
    const r = sync(FORK_COST_GATE.evaluate({ kernel: 'reference', runs: 1, seed: 1 }));
    expect(r.pass).toBe(false);
    expect(r.detail).toMatch(/^a fork with nothing written costs \d+ pages|depends on pages resident before fork/);
    expect(r.counterexample!.replay).toMatch(/^procsim replay --seed 1 --schedule s1:\S* .* --kernel reference \S+\/fork-touch \d+ \d+ \d+$/);
  });

  it('P3.1 fails on a fork that copies the whole address space', () => {
    copyingFork(mappedPages);
    const r = sync(FORK_COST_GATE.evaluate({ kernel: 'reference', runs: 1, seed: 1 }));
    expect(r.pass).toBe(false);
    expect(r.detail).toMatch(/costs \d+ pages|depends on the address-space size/);
  });
});

describe('P3.2 code shared across fork', () => {
  it('P3.2 code and decode caches shared between parent and child until a write to a code page (reference)', () => {
    const r = sync(CODE_SHARING_GATE.evaluate({ kernel: 'reference', runs: 1, seed: 1 }));
    expect(r.pass, r.detail).toBe(true);
    expect(r.detail).toMatch(/the child runs the parent's [1-9]\d* decoded code pages/);
  });

  it('P3.2 fails when fork gives the child its own copy of the code', () => {
    copyingFork((child) => materializedPages(child, 4));
    const r = sync(CODE_SHARING_GATE.evaluate({ kernel: 'reference', runs: 1, seed: 1 }));
    expect(r.pass).toBe(false);
    expect(r.detail).toMatch(/^code page 0x[0-9a-f]+ is a copy in the child, not the parent's page \(right after fork\)$/);
  });
});
