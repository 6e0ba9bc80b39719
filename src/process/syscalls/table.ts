// The syscall table: number -> handler. A handler returns the result or -errno; it may
// throw FsError (its errno is returned) or MemFault (EFAULT).

import type { Args, Kernel } from '../kernel.ts';
import type { Process } from '../process.ts';
import { SYS, type SyscallName } from '../sysno.ts';
import * as clone from './clone.ts';
import * as files from './files.ts';
import * as fsinfo from './fsinfo.ts';
import * as locks from './locks.ts';
import * as mm from './mm.ts';
import * as pgrp from './pgrp.ts';
import * as pipe from './pipe.ts';
import * as poll from './poll.ts';
import * as proc from './proc.ts';
import * as sched from './sched.ts';
import * as signal from './signal.ts';
import * as socket from './socket.ts';
import * as time from './time.ts';
import * as timers from './timers.ts';
import * as wait from './wait.ts';

export type Handler = (k: Kernel, p: Process, a: Args) => number;

const MODULES: Partial<Record<SyscallName, Handler>>[] = [clone, files, fsinfo, locks, mm, pgrp, pipe, poll, proc, sched, signal, socket, time, timers, wait];

export const HANDLERS: (Handler | undefined)[] = [];
for (const mod of MODULES) {
  for (const [name, h] of Object.entries(mod)) {
    const nr = SYS[name as SyscallName];
    if (nr === undefined || typeof h !== 'function') continue;
    HANDLERS[nr] = h;
  }
}
