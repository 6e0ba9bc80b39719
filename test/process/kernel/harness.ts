// Test harness for the kernel layer: "puppet" processes whose syscalls the test issues one
// by one, and a tiny assembler with labels for whole programs run by the round-robin driver.
//
// A puppet runs `loop: ecall; j loop`: it always stops at an ecall, the test sets a7 and
// a0..a5 and lets the kernel execute that syscall. A fork child is a puppet too (it resumes
// at the `j`). The same loop at HANDLER serves as a signal handler the test drives by hand
// (in the handler, rt_sigreturn is just another syscall); COUNTER is a real handler that
// counts deliveries per signal in the data segment and returns through the trampoline.

import * as A from '../../support/rv-asm.ts';
import { CODE_ADDR, DATA_ADDR, tinyElf } from '../../support/tiny-elf.ts';
import { CapturedConsole } from '../../../src/process/console.ts';
import { Kernel, type KernelOptions } from '../../../src/process/kernel.ts';
import type { Process } from '../../../src/process/process.ts';
import { TRAMPOLINE } from '../../../src/process/signal-frame.ts';
import { SYS } from '../../../src/process/sysno.ts';
import { SIGCHLD } from '../../../src/process/signals.ts';

export { SYS };
export { DATA_ADDR };

// ---- registers --------------------------------------------------------------------------
export const ZERO = 0, RA = 1, SP = 2, T0 = 5, T1 = 6, T2 = 7, S0 = 8, S1 = 9;
export const A0 = 10, A1 = 11, A2 = 12, A3 = 13, A4 = 14, A5 = 15, A7 = 17;
export const S2 = 18, S3 = 19, S4 = 20, S5 = 21;

// ---- the puppet program -----------------------------------------------------------------
export const MAIN = CODE_ADDR;
export const HANDLER = CODE_ADDR + 8;
export const COUNTER = CODE_ADDR + 16;
/** Counts of COUNTER deliveries, one u64 per signal number. */
export const COUNTS = DATA_ADDR;
/** Scratch memory for syscall arguments and results. */
export const BUF = DATA_ADDR + 0x1000;
export const BUF_SIZE = 0x20000;
export const TRAMPOLINE_ECALL = TRAMPOLINE + 4;

/** `lui+addiw` for an address below 2^31: always two instructions. */
function li32(rd: number, v: number): A.Inst[] {
  const hi = ((v + 0x800) >>> 12) & 0xfffff;
  const lo = v - ((hi << 12) | 0);
  return [A.lui(rd, hi), A.addiw(rd, rd, lo)];
}

/** An all-zero word: an illegal instruction (SIGILL). */
export const ILLEGAL = COUNTER + 32;
/** An ebreak (SIGTRAP). */
export const EBREAK = ILLEGAL + 4;
/**
 * CLOBBER: a handler that inverts every register it can (x3..x31, f0..f31, fcsr) and
 * returns through ra, so that only rt_sigreturn can bring the interrupted values back.
 */
export const CLOBBER = EBREAK + 4;

function clobberCode(): A.Inst[] {
  const out: A.Inst[] = [];
  for (let f = 0; f < 32; f++) out.push(A.fmvXD(T0, f), A.xori(T0, T0, -1), A.fmvDX(f, T0));
  out.push(A.csrrs(T0, A.CSR.fcsr, 0), A.xori(T0, T0, 0xff), A.csrrw(0, A.CSR.fcsr, T0));
  for (let x = 3; x < 32; x++) out.push(A.xori(x, x, -1));
  out.push(A.jalr(0, RA, 0));
  return out;
}

function puppetCode(): Uint8Array {
  const code = [
    A.ecall(), A.jal(0, -4), // MAIN
    A.ecall(), A.jal(0, -4), // HANDLER
    // COUNTER: counts[a0]++ then return to ra (the trampoline).
    A.slli(T0, A0, 3), ...li32(T1, COUNTS), A.add(T0, T0, T1), A.ld(T2, T0, 0), A.addi(T2, T2, 1), A.sd(T2, T0, 0),
    A.jalr(0, RA, 0),
    A.word(0), // ILLEGAL
    A.ebreak(), // EBREAK
    ...clobberCode(),
  ];
  return A.assemble(code);
}

export const PUPPET_ELF = tinyElf({ code: puppetCode(), bss: 0x1000 + BUF_SIZE });
export const PUPPET_PATH = '/bin/puppet';

export const enc = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

/** The result of a syscall issued to a puppet: its return value, or where the process went. */
export type Outcome = number | 'blocked' | 'dead';

export interface WorldOptions extends Partial<KernelOptions> {
  /** Program for pid 1 (the puppet by default). */
  elf?: Uint8Array;
  stdin?: Uint8Array;
}

/** A kernel with pid 1 started and stopped at its first syscall. */
export class World {
  readonly k: Kernel;
  readonly con: CapturedConsole;
  readonly init: Process;

  constructor(opts: WorldOptions = {}) {
    this.con = new CapturedConsole(opts.stdin);
    const { elf, stdin: _stdin, files, ...rest } = opts;
    this.k = new Kernel({
      console: this.con,
      seed: 1,
      ...rest,
      files: [{ path: PUPPET_PATH, bytes: elf ?? PUPPET_ELF, mode: 0o755 }, ...(files ?? [])],
    });
    this.init = this.k.spawnInit({ path: PUPPET_PATH, argv: [enc('puppet')], envp: [] });
    this.k.advance(this.init, 1000);
  }

  /** Issue syscall nr with args from puppet p, which must be stopped at an ecall. */
  sys(p: Process, nr: number, ...args: (number | bigint)[]): Outcome {
    if (p.state !== 'running' || !p.atSyscall) throw new Error(`pid ${p.pid} is not at a syscall (state ${p.state})`);
    p.cpu.setX(A7, BigInt(nr));
    args.forEach((v, i) => p.cpu.setX(A0 + i, BigInt(v)));
    return this.step(p);
  }

  /**
   * Execute p's pending syscall (again, after a wakeup), run it to its next ecall, and
   * return through any COUNTER handler that ran on the way.
   */
  step(p: Process): Outcome {
    this.k.execute(p);
    // A call that would block with a signal already deliverable stays runnable: the next
    // kernel entry delivers the signal, as the driver's next step would.
    for (let n = 0; p.state === 'running' && p.atSyscall; n++) {
      if (n > 10) throw new Error(`pid ${p.pid} makes no progress in syscall ${p.cpu.x[34]}`);
      this.k.execute(p);
    }
    if (!p.alive) return 'dead';
    if (p.atSyscall) return 'blocked';
    this.run(p);
    while (p.alive && p.atSyscall && p.cpu.pc === TRAMPOLINE_ECALL) {
      this.k.execute(p);
      this.run(p);
    }
    return p.alive ? this.a0(p) : 'dead';
  }

  /** Run p to its next ecall (through faults that enter a handler). */
  private run(p: Process): void {
    for (let n = 0; p.state === 'running' && !p.atSyscall; n++) {
      if (n > 10) throw new Error(`pid ${p.pid} does not reach an ecall`);
      this.k.advance(p, 10_000);
    }
  }

  /** a0 as a signed number. */
  a0(p: Process): number {
    return Number(BigInt.asIntN(64, p.cpu.getX(A0)));
  }

  /** fork() from puppet p: the child, stopped at its first ecall (where a0 = 0). */
  fork(p: Process, flags = SIGCHLD): Process {
    const pid = this.sys(p, SYS.clone, flags, 0, 0, 0, 0);
    if (typeof pid !== 'number' || pid <= 0) throw new Error(`fork from pid ${p.pid} failed: ${pid}`);
    const c = this.k.procs.get(pid)!;
    this.k.advance(c, 100);
    return c;
  }

  /** pipe2 from p: [read fd, write fd]. */
  pipe(p: Process, flags = 0): [number, number] {
    const r = this.sys(p, SYS.pipe2, BUF, flags);
    if (r !== 0) throw new Error(`pipe2 failed: ${r}`);
    return [this.i32(p, BUF), this.i32(p, BUF + 4)];
  }

  poke(p: Process, addr: number, bytes: Uint8Array): void {
    p.mem.write(addr, bytes);
  }
  peek(p: Process, addr: number, len: number): Uint8Array {
    return p.mem.read(addr, len);
  }
  i32(p: Process, addr: number): number {
    return new DataView(p.mem.read(addr, 4).buffer).getInt32(0, true);
  }
  u64(p: Process, addr: number): bigint {
    return new DataView(p.mem.read(addr, 8).buffer).getBigUint64(0, true);
  }
  putU64(p: Process, addr: number, ...vals: (number | bigint)[]): void {
    const b = new Uint8Array(8 * vals.length);
    const dv = new DataView(b.buffer);
    vals.forEach((v, i) => dv.setBigUint64(8 * i, BigInt.asUintN(64, BigInt(v)), true));
    p.mem.write(addr, b);
  }

  /** Install a handler with rt_sigaction (struct: handler, flags, mask). */
  sigaction(p: Process, sig: number, handler: number, flags = 0, mask = 0n): void {
    const at = BUF + BUF_SIZE - 64;
    this.putU64(p, at, handler, flags, mask);
    const r = this.sys(p, SYS.rt_sigaction, sig, at, 0, 8);
    if (r !== 0) throw new Error(`rt_sigaction(${sig}) failed: ${r}`);
  }

  /** Times COUNTER ran for sig in p. */
  count(p: Process, sig: number): number {
    return Number(this.u64(p, COUNTS + 8 * sig));
  }

  /** Is p stopped in the HANDLER puppet loop? */
  inHandler(p: Process): boolean {
    return p.alive && p.cpu.pc === HANDLER;
  }

  get stdout(): string {
    return Buffer.from(this.con.stdout).toString('latin1');
  }
}

// ---- a small assembler with labels ----------------------------------------------------------

/** A register operand of Prog.sys (a bare number is an immediate). */
export interface RegArg {
  reg: number;
}
export const R = (reg: number): RegArg => ({ reg });

interface Item {
  n: number; // instructions
  enc: (pc: number, at: (label: string) => number) => A.Inst[];
}

/** Straight-line RV64 code with forward and backward labels; every instruction is 4 bytes. */
export class Prog {
  private items: Item[] = [];
  private labels = new Map<string, number>();

  label(name: string): this {
    if (this.labels.has(name)) throw new Error(`label ${name} defined twice`);
    this.labels.set(name, this.items.length);
    return this;
  }

  i(...insts: (A.Inst | readonly A.Inst[])[]): this {
    for (const ins of insts.flat()) {
      if (ins.size !== 4) throw new Error(`compressed instruction ${ins.asm} not supported`);
      this.items.push({ n: 1, enc: () => [ins] });
    }
    return this;
  }

  li(rd: number, v: number | bigint): this {
    return this.i(A.li(rd, BigInt(v)));
  }

  /** Conditional branch to a label. */
  b(op: 'beq' | 'bne' | 'blt' | 'bge' | 'bltu' | 'bgeu', rs1: number, rs2: number, label: string): this {
    this.items.push({ n: 1, enc: (pc, at) => [A[op](rs1, rs2, at(label) - pc)] });
    return this;
  }

  j(label: string): this {
    this.items.push({ n: 1, enc: (pc, at) => [A.jal(0, at(label) - pc)] });
    return this;
  }

  /** rd = address of a label (pc-relative, two instructions). */
  la(rd: number, label: string): this {
    this.items.push({
      n: 2,
      enc: (pc, at) => {
        const off = at(label) - pc;
        const hi = ((off + 0x800) >> 12) & 0xfffff;
        return [A.auipc(rd, hi), A.addi(rd, rd, off - (hi << 12))];
      },
    });
    return this;
  }

  /** a7 = nr, a0.. = args (immediates or registers), ecall. Result in a0. */
  sys(nr: number, ...args: (number | bigint | RegArg)[]): this {
    // Registers first into temporaries would be needed if an argument register were a
    // source of a later one; callers pass sources outside a0..a5.
    args.forEach((v, i) => {
      if (typeof v === 'object') {
        if (v.reg >= A0 && v.reg <= A5 && v.reg !== A0 + i) throw new Error(`argument ${i} from a${v.reg - A0} would be clobbered`);
        this.i(A.mv(A0 + i, v.reg));
      } else this.li(A0 + i, v);
    });
    this.li(A7, nr);
    return this.i(A.ecall());
  }

  /** Machine code, placed at CODE_ADDR. */
  code(): Uint8Array {
    const pos: number[] = [];
    let pc = CODE_ADDR;
    for (const it of this.items) {
      pos.push(pc);
      pc += 4 * it.n;
    }
    const at = (label: string): number => {
      const idx = this.labels.get(label);
      if (idx === undefined) throw new Error(`undefined label ${label}`);
      return idx < pos.length ? pos[idx] : pc;
    };
    const out: A.Inst[] = [];
    this.items.forEach((it, k) => {
      const insts = it.enc(pos[k], at);
      if (insts.length !== it.n) throw new Error('item size mismatch');
      out.push(...insts);
    });
    return A.assemble(out);
  }

  elf(data?: Uint8Array, bss = 0x10000): Uint8Array {
    return tinyElf({ code: this.code(), data, bss });
  }
}

/** A deadlock: parent and child each read their own empty pipe, which nobody can ever write. */
export function crossedPipeReaders(): Prog {
  return new Prog()
    .sys(SYS.pipe2, BUF, 0) // fds 3, 4
    .sys(SYS.pipe2, BUF + 8, 0) // fds 5, 6
    .sys(SYS.clone, SIGCHLD, 0, 0, 0, 0)
    .b('bne', A0, 0, 'parent')
    .sys(SYS.read, 5, BUF + 64, 1)
    .sys(SYS.exit, 0)
    .label('parent')
    .sys(SYS.read, 3, BUF + 64, 1)
    .sys(SYS.exit, 0);
}

/** Run every runnable process one step at a time, in table order, until none is runnable. */
export function drain(k: Kernel, budget = 1_000_000): void {
  for (let guard = 0; guard < 100_000; guard++) {
    const ready = k.runnable();
    if (ready.length === 0) return;
    for (const p of ready) k.step(p, budget);
  }
  throw new Error('drain: processes still runnable after 100000 rounds');
}
