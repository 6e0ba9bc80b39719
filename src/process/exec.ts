// execve: replace a process's image with a program from the filesystem. Everything that
// can fail is checked before the old image is touched, so a failed exec leaves it intact.

import { ElfError, type ElfInfo, isElf, loadElf, loadSpan, parseElf, PT_LOAD } from '../emu/elf.ts';
import { Memory, PAGE_SIZE } from '../emu/memory.ts';
import { ARG_MAX, buildStack } from '../emu/stack.ts';
import { FsError } from './fs/fs-error.ts';
import { type Executable, readExecutable } from './files.ts';
import { FileMappings } from './mappings.ts';
import type { Kernel } from './kernel.ts';
import { endVfork } from './lifecycle.ts';
import { type Process, SIG_DFL, SIG_IGN } from './process.ts';
import { brkLimit, findMmapSpace } from './address-space.ts';
import { mapTrampoline } from './signal-frame.ts';

export interface ExecArgs {
  path: string;
  argv: Uint8Array[];
  envp: Uint8Array[];
}

const MAX_INTERP_DEPTH = 4;
const latin1 = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const str = (b: Uint8Array): string => String.fromCharCode(...b);

interface Program extends Executable {
  info: ElfInfo;
  /** The arguments it runs with (a script's interpreter gets the script's path in argv). */
  args: ExecArgs;
}

/** The ELF that execve(args.path) runs, after following `#!` lines; throws FsError or ElfError. */
function resolveProgram(k: Kernel, p: Process, args: ExecArgs, depth = 0): Program {
  const file = readExecutable(k, p, args.path);
  const bytes = file.bytes;
  if (bytes[0] === 0x23 && bytes[1] === 0x21) {
    // "#!interpreter [arg]": run the interpreter with the script path in place of argv[0].
    if (depth >= MAX_INTERP_DEPTH) throw new FsError('ELOOP');
    const nl = bytes.indexOf(10);
    const line = str(bytes.subarray(2, nl < 0 ? Math.min(bytes.length, 256) : nl)).trim();
    if (line === '') throw new FsError('ENOEXEC');
    const sp = line.search(/[ \t]/);
    const interp = sp < 0 ? line : line.slice(0, sp);
    const opt = sp < 0 ? '' : line.slice(sp).trim();
    const argv = [latin1(interp), ...(opt ? [latin1(opt)] : []), latin1(args.path), ...args.argv.slice(1)];
    return resolveProgram(k, p, { path: interp, argv, envp: args.envp }, depth + 1);
  }
  if (!isElf(bytes)) throw new FsError('ENOEXEC');
  return { ...file, info: parseElf(bytes, file.path), args };
}

/** Whether execve(path) would run a static ELF (no PT_INTERP); false when it would fail. */
export function runsStaticElf(k: Kernel, p: Process, path: string): boolean {
  try {
    return resolveProgram(k, p, { path, argv: [], envp: [] }).info.interp === null;
  } catch (e) {
    if (e instanceof FsError || e instanceof ElfError) return false;
    throw e;
  }
}

/**
 * Load args.path into p. Throws FsError (ENOENT, EACCES, ENOEXEC, E2BIG, ...) or ElfError
 * (a malformed program: the syscall reports ENOEXEC, the CLI the message).
 */
export function execImage(k: Kernel, p: Process, given: ExecArgs): void {
  const program = resolveProgram(k, p, given);
  const { bytes, path, pristine, info, args } = program;
  const interp = info.interp === null ? null : readInterpreter(k, p, info.interp);
  const total = [...args.argv, ...args.envp].reduce((n, s) => n + s.length + 1 + 8, 0);
  if (total > ARG_MAX) throw new FsError('E2BIG');

  const mem = new Memory();
  mem.maxPages = p.mem.maxPages;
  mem.budget = p.mem.budget;
  const image = loadElf(mem, bytes, info, { name: path, immutable: pristine });
  const mappings = new FileMappings();
  nameSegments(mappings, program, image.base);
  if (image.brk >= brkLimit(image.brk)) throw new ElfError(`${path}: image leaves no room for the heap`);
  let entry = image.entry;
  let interpBase = 0;
  if (interp !== null) {
    // As Linux does: ld.so goes where mmap would put it, and the program starts in ld.so.
    const at = findMmapSpace(mem, loadSpan(interp.info));
    if (at < 0) throw new FsError('ENOMEM');
    const loaded = loadElf(mem, interp.bytes, interp.info, { name: interp.path, dynBase: at, immutable: interp.pristine });
    interpBase = loaded.base;
    nameSegments(mappings, interp, loaded.base);
    entry = loaded.entry;
  }
  const stack = buildStack(mem, {
    argv: args.argv,
    envp: args.envp,
    execfn: latin1(args.path),
    random: k.random(16),
    image,
    interpBase,
  });

  mapTrampoline(mem);

  // Point of no return: the new image replaces the old one. A vfork child hands the
  // borrowed memory back to its parent instead of freeing it.
  if (p.vforkParent !== null) endVfork(k, p);
  else p.mem.release();
  p.mem = mem;
  p.mappings = mappings;
  const cpu = p.cpu;
  cpu.mem = mem;
  cpu.reset();
  cpu.pc = entry;
  cpu.setX(2, BigInt(stack.sp));
  p.startup = stack;
  p.brkStart = p.brk = image.brk;
  p.dataSegments = image.writable;
  p.exe = path;
  // Linux names the process after the path execve was given (a script's, not its
  // interpreter's; a symlink's, not its target's).
  p.comm = given.path.slice(given.path.lastIndexOf('/') + 1).slice(0, 15);
  p.didExec = true;
  p.altstack = { sp: 0, size: 0, flags: 0 };
  p.fds.closeOnExec();
  if (p.posixTimers.size > 0) k.deletePosixTimers(p); // exit_itimers: setitimer's stay
  for (const act of p.actions) {
    // Caught signals revert to the default; ignored ones stay ignored.
    if (act.handler !== SIG_IGN) act.handler = SIG_DFL;
    act.flags = 0;
    act.mask = 0n;
    act.restorer = 0;
  }
}

/** An ELF's loaded segments show its file, up to the end of their file part (bss is anonymous). */
function nameSegments(mappings: FileMappings, file: Executable & { info: ElfInfo }, base: number): void {
  for (const s of file.info.segments) {
    if (s.type !== PT_LOAD || s.filesz === 0) continue;
    const start = Math.floor((base + s.vaddr) / PAGE_SIZE) * PAGE_SIZE;
    const end = Math.ceil((base + s.vaddr + s.filesz) / PAGE_SIZE) * PAGE_SIZE;
    mappings.add({ start, end, path: file.path, offset: s.offset - (base + s.vaddr - start), dev: file.dev, ino: file.ino, shared: false });
  }
}

/**
 * The ELF interpreter named by PT_INTERP: missing is ENOENT (as open_exec), not an ELF, not
 * riscv64 or malformed is ELIBBAD, as Linux's load_elf_binary reports them.
 */
function readInterpreter(k: Kernel, p: Process, name: string): Executable & { info: ElfInfo } {
  const file = readExecutable(k, p, name);
  try {
    const info = parseElf(file.bytes, file.path);
    if (info.interp !== null) throw new ElfError(`${file.path}: an ELF interpreter with an interpreter of its own`);
    return { ...file, info };
  } catch (e) {
    if (e instanceof ElfError) throw new FsError('ELIBBAD', e.message);
    throw e;
  }
}
