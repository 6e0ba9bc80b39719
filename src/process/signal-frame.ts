// The riscv64 signal frame (struct rt_sigframe) and the sigreturn trampoline page.
//
//   rt_sigframe: siginfo (128 bytes) then ucontext:
//     +0 uc_flags, +8 uc_link, +16 uc_stack {ss_sp, ss_flags, ss_size}, +40 uc_sigmask,
//     +176 uc_mcontext: pc, x1..x31 (32 x 8 bytes), then f0..f31 (32 x 8 bytes) and fcsr.
// The handler is entered with a0 = sig, a1 = &siginfo, a2 = &ucontext, ra = the trampoline
// (riscv64 has no sa_restorer: Linux returns through the vDSO's `li a7, 139; ecall`).

import type { Cpu } from '../emu/cpu.ts';
import { PROT_EXEC, PROT_READ, type Memory } from '../emu/memory.ts';
import { STACK_TOP } from '../emu/stack.ts';
import type { SigInfo } from './process.ts';
import { SIGCHLD } from './signals.ts';

const SIGINFO_SIZE = 128;
const UC_STACK = 16;
const UC_SIGMASK = 40;
const UC_MCONTEXT = 176;
const UCONTEXT_SIZE = UC_MCONTEXT + 256 + 264 + 8; // regs, f[32] + fcsr, padded to 16
export const FRAME_SIZE = SIGINFO_SIZE + UCONTEXT_SIZE;

/** The page holding the sigreturn trampoline, just above the initial stack. */
export const TRAMPOLINE = STACK_TOP;
const SYS_RT_SIGRETURN = 139;

/** Map the trampoline page into a fresh image (done by execve, inherited by fork). */
export function mapTrampoline(mem: Memory): void {
  mem.map(TRAMPOLINE, 4096, PROT_READ | PROT_EXEC);
  const code = new Uint8Array(8);
  const dv = new DataView(code.buffer);
  dv.setUint32(0, (SYS_RT_SIGRETURN << 20) | (17 << 7) | 0x13, true); // addi a7, x0, 139
  dv.setUint32(4, 0x73, true); // ecall
  mem.poke(TRAMPOLINE, code);
}

export interface AltStack {
  sp: number;
  size: number;
  flags: number;
}

export interface FrameSpec {
  sig: number;
  info: SigInfo;
  /** Mask to restore on sigreturn. */
  oldMask: bigint;
  altstack: AltStack;
  /** Where the frame goes: the top of the stack it is pushed on. */
  stackTop: number;
  handler: number;
}

const CLD_SIGINFO_STATUS = 24;
const CLD_SIGINFO_UTIME = 32;
/** Linux's kernel_siginfo: what a siginfo holds; the rest of the 128 bytes is zero. */
export const KERNEL_SIGINFO_SIZE = 48;

/**
 * The siginfo_t of sig as a handler or rt_sigtimedwait gets it: si_signo @0, si_code @8, then
 * si_pid @16 and si_uid @20 (0: every process is root), or si_addr @16 for a fault; SIGCHLD
 * adds si_status @24, si_utime @32 and si_stime @40. A sigqueue'd one is the sender's own bytes (si_value @24 among them).
 */
export function sigInfoBytes(sig: number, info: SigInfo): Uint8Array {
  const b = new Uint8Array(SIGINFO_SIZE);
  const dv = new DataView(b.buffer);
  if (info.raw !== undefined) b.set(info.raw.subarray(0, KERNEL_SIGINFO_SIZE));
  dv.setInt32(0, sig, true);
  if (info.raw !== undefined) return b;
  dv.setInt32(8, info.code, true);
  if (info.addr !== undefined) {
    dv.setBigUint64(16, BigInt(info.addr), true);
  } else {
    dv.setInt32(16, info.pid, true);
    if (sig === SIGCHLD && info.status !== undefined) dv.setInt32(CLD_SIGINFO_STATUS, info.status, true);
    if (sig === SIGCHLD && info.utime !== undefined) dv.setBigInt64(CLD_SIGINFO_UTIME, info.utime, true);
    if (sig === SIGCHLD && info.stime !== undefined) dv.setBigInt64(CLD_SIGINFO_UTIME + 8, info.stime, true);
  }
  return b;
}

/** Push a signal frame for the current register state and enter the handler. Throws MemFault. */
export function pushFrame(cpu: Cpu, mem: Memory, f: FrameSpec): void {
  const top = f.stackTop - FRAME_SIZE;
  const frame = top - (top % 16); // addresses pass 2^31: no 32-bit bit operators
  const b = new Uint8Array(FRAME_SIZE);
  const dv = new DataView(b.buffer);
  b.set(sigInfoBytes(f.sig, f.info), 0);
  const uc = SIGINFO_SIZE;
  dv.setBigUint64(uc + UC_STACK, BigInt(f.altstack.sp), true);
  dv.setInt32(uc + UC_STACK + 8, f.altstack.flags, true);
  dv.setBigUint64(uc + UC_STACK + 16, BigInt(f.altstack.size), true);
  dv.setBigUint64(uc + UC_SIGMASK, f.oldMask, true);
  const mc = uc + UC_MCONTEXT;
  dv.setBigUint64(mc, BigInt(cpu.pc), true);
  for (let i = 1; i < 32; i++) {
    dv.setInt32(mc + 8 * i, cpu.x[2 * i], true);
    dv.setInt32(mc + 8 * i + 4, cpu.x[2 * i + 1], true);
  }
  const fp = mc + 256;
  for (let i = 0; i < 32; i++) {
    dv.setInt32(fp + 8 * i, cpu.fi[2 * i], true);
    dv.setInt32(fp + 8 * i + 4, cpu.fi[2 * i + 1], true);
  }
  dv.setUint32(fp + 256, cpu.fcsr, true);
  mem.write(frame, b);

  cpu.setX(10, BigInt(f.sig));
  cpu.setX(11, BigInt(frame));
  cpu.setX(12, BigInt(frame + uc));
  cpu.setX(1, BigInt(TRAMPOLINE));
  cpu.setX(2, BigInt(frame));
  cpu.pc = f.handler;
}

/** rt_sigreturn: restore registers from the frame at sp; returns the saved mask and uc_stack. Throws MemFault. */
export function popFrame(cpu: Cpu, mem: Memory): { mask: bigint; altstack: AltStack } {
  const frame = Number(cpu.getX(2));
  const dv = new DataView(mem.read(frame, FRAME_SIZE).buffer);
  const uc = SIGINFO_SIZE;
  const mc = uc + UC_MCONTEXT;
  cpu.pc = Number(dv.getBigUint64(mc, true));
  for (let i = 1; i < 32; i++) {
    cpu.x[2 * i] = dv.getInt32(mc + 8 * i, true);
    cpu.x[2 * i + 1] = dv.getInt32(mc + 8 * i + 4, true);
  }
  const fp = mc + 256;
  for (let i = 0; i < 32; i++) {
    cpu.fi[2 * i] = dv.getInt32(fp + 8 * i, true);
    cpu.fi[2 * i + 1] = dv.getInt32(fp + 8 * i + 4, true);
  }
  cpu.fcsr = dv.getUint32(fp + 256, true);
  const altstack = {
    sp: Number(dv.getBigUint64(uc + UC_STACK, true)),
    flags: dv.getInt32(uc + UC_STACK + 8, true),
    size: Number(dv.getBigUint64(uc + UC_STACK + 16, true)),
  };
  return { mask: dv.getBigUint64(uc + UC_SIGMASK, true), altstack };
}
