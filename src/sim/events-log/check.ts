// Judging a process-event log on the phase-1 contracts that a log alone decides (EVENTS.md,
// "What check-events decides"). Each line is judged once, in order, against what the lines
// before it established; its first broken rule is charged to that rule's contract. Once a
// drain has lost events, a broken lifecycle rule may be the lost events' doing: it makes its
// contract undecidable instead of failing it (the seq accounting stays decidable).

import type { ProcessEvent } from '../../process/events.ts';
import type { EventLog } from './format.ts';

export type ContractId = 'P1.1' | 'P1.2' | 'P1.3' | 'P1.4';
export type EventVerdict = 'pass' | 'fail' | 'undecidable' | 'n/a';

export interface ContractResult {
  id: ContractId;
  name: string;
  verdict: EventVerdict;
  /** First offending line (from 1); null when the whole log is at fault or nothing is. */
  line: number | null;
  why?: string;
}

export interface EventsReport {
  events: number;
  dropped: number;
  contracts: ContractResult[];
  /** Every decidable contract passes. */
  ok: boolean;
}

export const CONTRACT_NAMES: Record<ContractId, string> = {
  'P1.1': 'identity from the table',
  'P1.2': 'event stream order and drain',
  'P1.3': 'WNOHANG returns 0 while the child runs',
  'P1.4': 'wakeup emitted and reaped once',
};

/** What the lines so far say of a pid that is in the table. */
interface Entry {
  spawnLine: number;
  parent: number;
  exitLine?: number;
  exitStatus?: number;
  woken: boolean;
}

interface Broken {
  id: ContractId;
  why: string;
  /** Lost events could explain it. */
  lifecycle: boolean;
}

class Judge {
  private readonly table = new Map<number, Entry>();
  /** Line of the reap of each pid reaped and not spawned again. */
  private readonly reapedAt = new Map<number, number>();
  /** Last parent of every pid ever seen (ancestry outlives reaping). */
  private readonly parentOf = new Map<number, number>();
  private rootLine: number | undefined;
  /** The initial process: the header's, else the one spawned with ppid 0, else pid 1. */
  private initPid: number;
  private next = 0;
  dropped = 0;

  constructor(private readonly init: number | undefined) {
    this.initPid = init ?? 1;
  }

  private entry(pid: number): Entry | undefined {
    const e = this.table.get(pid);
    if (e !== undefined || pid !== this.init || this.reapedAt.has(pid) || this.parentOf.has(pid)) return e;
    // The header's initial process is in the table from the start, without a spawn.
    const init: Entry = { spawnLine: 0, parent: 0, woken: false };
    this.table.set(pid, init);
    this.parentOf.set(pid, 0);
    return init;
  }

  private live(pid: number): boolean {
    const e = this.entry(pid);
    return e !== undefined && e.exitLine === undefined;
  }

  private whereIs(pid: number): string {
    const e = this.entry(pid);
    if (e?.exitLine !== undefined) return `exited at line ${e.exitLine}`;
    const r = this.reapedAt.get(pid);
    return r !== undefined ? `was reaped at line ${r}` : 'was never spawned';
  }

  /** Who may wait for pid now: its parent while it lives, else (orphaned) init or a living ancestor (a subreaper). */
  private mayWaitFor(pid: number, e: Entry, waiter: number): string | undefined {
    if (waiter === e.parent) return this.live(waiter) ? undefined : `its parent ${waiter} ${this.whereIs(waiter)}`;
    if (this.live(e.parent)) return `its parent is ${e.parent}`;
    if (!this.live(waiter)) return `${waiter} ${this.whereIs(waiter)}`;
    if (waiter === this.initPid) return undefined;
    for (let a = this.parentOf.get(e.parent); a !== undefined && a !== 0; a = this.parentOf.get(a)) if (a === waiter) return undefined;
    return `its parent ${e.parent} exited and ${waiter} is neither init (${this.initPid}) nor a living ancestor`;
  }

  /** The drop record's accounting: its events are seq .. seq+dropped-1. */
  drop(seq: number, dropped: number): Broken | undefined {
    const bad = this.seqBroken(seq);
    this.next = seq + dropped;
    this.dropped += dropped;
    return bad;
  }

  private seqBroken(seq: number): Broken | undefined {
    if (seq === this.next) return undefined;
    const why = seq > this.next
      ? `seq ${seq} skips ${this.next}..${seq - 1} with no drop record for them`
      : `seq ${seq} again or out of order (${this.next} expected: seq counts every event once, in order)`;
    return { id: 'P1.2', why, lifecycle: false };
  }

  event(ev: ProcessEvent, line: number): Broken | undefined {
    const bad = this.seqBroken(ev.seq);
    this.next = ev.seq + 1;
    const broken = this.lifecycle(ev, line);
    return bad ?? broken;
  }

  /** Judge ev against the table, then apply it. */
  private lifecycle(ev: ProcessEvent, line: number): Broken | undefined {
    const { pid } = ev;
    const b = (id: ContractId, why: string): Broken => ({ id, why, lifecycle: true });
    if (ev.kind === 'spawn') {
      const ppid = ev.ppid!;
      // The header's initial process may be spawned (with ppid 0) only as its first event.
      const e = this.table.get(pid);
      let bad: Broken | undefined;
      if (e !== undefined) bad = b('P1.1', `pid ${pid} spawned while still in the table (${e.spawnLine === 0 ? 'the initial process' : `spawned at line ${e.spawnLine}`}, not reaped)`);
      else if (ppid === 0) {
        if (this.init !== undefined && pid !== this.init) bad = b('P1.1', `pid ${pid} spawned without a parent (ppid 0), but the header's initial process is ${this.init}`);
        else if (this.init === undefined && this.rootLine !== undefined) bad = b('P1.1', `a second process without a parent (ppid 0): the first was spawned at line ${this.rootLine}`);
        if (this.rootLine === undefined) {
          this.rootLine = line;
          this.initPid = pid;
        }
      } else if (!this.live(ppid)) bad = b('P1.1', `parent ${ppid} of pid ${pid} is not a live process (it ${this.whereIs(ppid)})`);
      this.table.set(pid, { spawnLine: line, parent: ppid, woken: false });
      this.reapedAt.delete(pid);
      this.parentOf.set(pid, ppid);
      return bad;
    }
    const e = this.entry(pid);
    if (e === undefined) {
      const reaped = this.reapedAt.get(pid);
      if (reaped === undefined) return b('P1.1', `pid ${pid} has a ${ev.kind} event but no spawn before it`);
      if (ev.kind === 'reap') return b('P1.4', `pid ${pid} reaped twice (first at line ${reaped})`);
      return b('P1.2', `a ${ev.kind} event of pid ${pid} after its reap at line ${reaped} (nothing of a reaped pid follows but a new spawn)`);
    }
    switch (ev.kind) {
      case 'exec':
        return e.exitLine === undefined ? undefined : b('P1.2', `exec of pid ${pid} after its exit at line ${e.exitLine}`);
      case 'signal': {
        if (e.exitLine !== undefined) return b('P1.2', `signal ${ev.sig} to pid ${pid} after its exit at line ${e.exitLine}`);
        const from = ev.from!;
        return from === 0 || this.entry(from) !== undefined ? undefined : b('P1.2', `signal ${ev.sig} to pid ${pid} from pid ${from}, which is not in the table (it ${this.whereIs(from)})`);
      }
      case 'exit':
        if (e.exitLine !== undefined) return b('P1.2', `pid ${pid} exits a second time (first at line ${e.exitLine})`);
        e.exitLine = line;
        e.exitStatus = ev.status;
        return undefined;
      case 'wait-wakeup': {
        if (e.exitLine === undefined) return b('P1.4', `wait-wakeup of ${ev.ppid} for pid ${pid}, which has not exited`);
        const not = this.mayWaitFor(pid, e, ev.ppid!);
        if (not !== undefined) return b('P1.4', `wait-wakeup of ${ev.ppid} for pid ${pid}, but ${not}`);
        e.parent = ev.ppid!;
        e.woken = true;
        return undefined;
      }
      case 'reap': {
        if (e.exitLine === undefined) return b('P1.4', `reap of pid ${pid}, which has not exited`);
        let bad: Broken | undefined;
        const not = this.mayWaitFor(pid, e, ev.ppid!);
        if (not !== undefined) bad = b('P1.4', `pid ${pid} reaped by ${ev.ppid}, but ${not}`);
        else if (!e.woken) bad = b('P1.4', `pid ${pid} reaped with no wait-wakeup since its exit at line ${e.exitLine}`);
        else if (ev.status !== e.exitStatus) bad = b('P1.4', `reap status ${ev.status} of pid ${pid} is not its exit status ${e.exitStatus} (line ${e.exitLine})`);
        this.table.delete(pid);
        this.reapedAt.set(pid, line);
        return bad;
      }
    }
  }
}

/** The report on a parsed log. */
export function checkEventLog(log: EventLog): EventsReport {
  const judge = new Judge(log.header?.init);
  const firstFail = new Map<ContractId, { line: number | null; why: string }>();
  const firstUnsure = new Map<ContractId, { line: number; why: string }>();
  let events = 0;
  for (const r of log.records) {
    let broken: Broken | undefined;
    if ('drop' in r) broken = judge.drop(r.drop.seq, r.drop.dropped);
    else {
      events++;
      broken = judge.event(r.event, r.line);
    }
    if (broken === undefined) continue;
    if (broken.lifecycle && judge.dropped > 0) {
      if (!firstUnsure.has(broken.id)) firstUnsure.set(broken.id, { line: r.line, why: `undecidable (${judge.dropped} events dropped): ${broken.why}` });
    } else if (!firstFail.has(broken.id)) firstFail.set(broken.id, { line: r.line, why: broken.why });
  }
  if (events === 0 && judge.dropped === 0) {
    firstFail.set('P1.1', { line: null, why: 'the log has no process events: the table reported no process (a kernel without process events, such as legacy-rollback, cannot pass phase 1)' });
  }
  const contracts = (Object.keys(CONTRACT_NAMES) as ContractId[]).map((id): ContractResult => {
    const name = CONTRACT_NAMES[id];
    if (id === 'P1.3') return { id, name, verdict: 'n/a', line: null, why: 'decided on wait4 results, which an event log does not have' };
    const f = firstFail.get(id);
    if (f !== undefined) return { id, name, verdict: 'fail', ...f };
    const u = firstUnsure.get(id);
    if (u !== undefined) return { id, name, verdict: 'undecidable', ...u };
    return { id, name, verdict: 'pass', line: null };
  });
  return { events, dropped: judge.dropped, contracts, ok: contracts.every((c) => c.verdict !== 'fail') };
}
