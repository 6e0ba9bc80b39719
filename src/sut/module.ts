// An in-process system under test (procsim gate --sut-module FILE.mjs?key=value): the module
// runs in worker threads of procsim's own process (no process spawned per run), one SUT
// instance per thread, one run at a time each. A thread is what makes a guest or an emulator
// that never returns, or grows without bound, a verdict: a run past its timeout terminates
// its thread, and a thread's heap is capped (it dies out of memory, procsim does not); the
// next run gets a fresh thread. Host time is allowed here: src/sut is outside the
// deterministic layers.

import { existsSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { SutRequest, SutResult } from './module-api.ts';
import type { HostData, HostReply, HostRequest } from './module-host.ts';
import type { SutRun } from './command.ts';

export class SutModuleError extends Error {}

/** Heap of one SUT thread (V8's old generation), in MiB: a module that needs more dies "out of memory". */
export const SUT_MODULE_HEAP_MB = 4096;

export interface SutModuleSpec {
  /** As the user typed it. */
  text: string;
  path: string;
  options: Record<string, string>;
}

/** `FILE[?key=value&...]`: the file must exist; the query becomes createSut's options. */
export function parseSutModuleSpec(text: string): SutModuleSpec {
  const q = text.indexOf('?');
  const file = q < 0 ? text : text.slice(0, q);
  if (file === '') throw new SutModuleError('--sut-module needs a file, e.g. --sut-module ./my-emulator.mjs');
  const path = resolve(file);
  if (!existsSync(path) || !statSync(path).isFile()) throw new SutModuleError(`--sut-module: no such file: ${file}`);
  const options: Record<string, string> = {};
  if (q >= 0) for (const [k, v] of new URLSearchParams(text.slice(q + 1))) options[k] = v;
  return { text, path, options };
}

/** One thread with its SUT instance. */
class Slot {
  private worker: Worker | undefined;
  private ready: Promise<string | undefined> | undefined;
  private pending: ((m: HostReply | { kind: 'died'; message: string }) => void) | undefined;
  private ids = 0;

  constructor(private readonly spec: SutModuleSpec, private readonly heapMb: number) {}

  /** Start the thread (if not running) and load the module: its name, or a SutModuleError. */
  open(): Promise<string | undefined> {
    if (this.ready !== undefined) return this.ready;
    const data: HostData = { url: pathToFileURL(this.spec.path).href, options: this.spec.options };
    const w = new Worker(new URL('./module-worker.mjs', import.meta.url), {
      workerData: data,
      resourceLimits: { maxOldGenerationSizeMb: this.heapMb },
      stdout: true,
      stderr: true,
    });
    // What the module prints on its own goes nowhere: only a run's result is judged.
    w.stdout.resume();
    w.stderr.resume();
    this.worker = w;
    const died = (message: string): void => {
      if (this.worker === w) this.reset();
      const p = this.pending;
      this.pending = undefined;
      p?.({ kind: 'died', message });
    };
    w.on('error', (e) => died(e.message));
    w.on('exit', (code) => died(`its thread exited (code ${code})`));
    this.ready = new Promise((resolve, reject) => {
      this.pending = (m) => {
        if (m.kind === 'ready') resolve(m.name);
        else reject(new SutModuleError(`--sut-module ${this.spec.text}: cannot load: ${'message' in m ? m.message : m.kind}`));
      };
    });
    w.on('message', (m: HostReply) => {
      const p = this.pending;
      this.pending = undefined;
      p?.(m);
    });
    return this.ready;
  }

  async run(req: SutRequest, timeoutMs: number): Promise<SutRun> {
    const start = performance.now();
    const ms = (): number => performance.now() - start;
    await this.open();
    const w = this.worker!;
    const id = ++this.ids;
    const reply = await new Promise<HostReply | { kind: 'died'; message: string } | { kind: 'timeout' }>((resolve) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        resolve({ kind: 'timeout' });
      }, timeoutMs);
      this.pending = (m) => {
        clearTimeout(timer);
        resolve(m);
      };
      w.postMessage({ id, req } satisfies HostRequest);
    });
    if (reply.kind === 'timeout') {
      this.reset();
      await w.terminate();
      return { kind: 'timeout', stdout: '', stderr: '', ms: ms() };
    }
    if (reply.kind === 'died') return { kind: 'sut-error', message: `the SUT module's thread died during the run: ${reply.message}`, ms: ms() };
    if (reply.kind === 'error') return { kind: 'sut-error', message: `the SUT module threw: ${reply.message}`, ms: ms() };
    if (reply.kind !== 'result') return { kind: 'sut-error', message: `the SUT module's thread sent ${reply.kind} instead of a result`, ms: ms() };
    return resultRun(reply.result, ms());
  }

  async close(): Promise<void> {
    const w = this.worker;
    if (w === undefined || this.ready === undefined) return;
    const loaded = await this.ready.then(() => true, () => false);
    if (loaded && this.worker === w) {
      const id = ++this.ids;
      // A close() that never returns gets 5 s (the timer does not keep procsim alive).
      const closed = new Promise<unknown>((resolve) => {
        this.pending = resolve;
        setTimeout(resolve, 5000).unref();
      });
      w.postMessage({ id, close: true } satisfies HostRequest);
      await closed;
    }
    this.reset();
    await w.terminate();
  }

  private reset(): void {
    this.worker = undefined;
    this.ready = undefined;
  }
}

const bytes = (x: unknown): string | undefined => (typeof x === 'string' ? x : x instanceof Uint8Array ? Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('latin1') : undefined);

/** A module's result as a run, or what is wrong with it. */
export function resultRun(r: SutResult, ms: number): SutRun {
  const bad = (why: string): SutRun => ({ kind: 'sut-error', message: `the SUT module returned a bad result: ${why}`, ms });
  if (r === null || typeof r !== 'object') return bad(`${JSON.stringify(r)} is not an object`);
  const stdout = bytes(r.stdout);
  const stderr = bytes(r.stderr);
  if (stdout === undefined || stderr === undefined) return bad('stdout and stderr must be strings or Uint8Arrays');
  if (r.events !== undefined && typeof r.events !== 'string') return bad('events must be a string (the JSONL of src/sim/EVENTS.md)');
  const events = r.events !== undefined ? { events: r.events } : {};
  const ends = [r.exit !== undefined, r.signal !== undefined, r.blocked !== undefined].filter(Boolean).length;
  if (ends !== 1) return bad('it must have exactly one of exit, signal and blocked');
  if (r.exit !== undefined) {
    if (!(Number.isInteger(r.exit) && r.exit >= 0 && r.exit <= 255)) return bad(`exit must be an integer 0..255, got ${JSON.stringify(r.exit)}`);
    return { kind: 'exit', status: `exited ${r.exit}`, stdout, stderr, ms, ...events };
  }
  if (r.signal !== undefined) {
    if (typeof r.signal !== 'string' || !/^SIG[A-Z0-9]+$/.test(r.signal)) return bad(`signal must be a name like "SIGKILL", got ${JSON.stringify(r.signal)}`);
    return { kind: 'exit', status: `killed ${r.signal}`, stdout, stderr, ms, ...events };
  }
  return { kind: 'timeout', blocked: String(r.blocked), stdout, stderr, ms };
}

/** The module's SUT instances, one per worker thread. */
export class SutModule {
  private readonly slots: Slot[];
  private free: Slot[];
  private waiting: ((s: Slot) => void)[] = [];
  /** The SUT's name: its own, or the file's. */
  name: string;

  private constructor(readonly spec: SutModuleSpec, workers: number, heapMb: number) {
    this.slots = Array.from({ length: workers }, () => new Slot(spec, heapMb));
    this.free = [...this.slots];
    this.name = basename(spec.path);
  }

  /** Load the module in one thread first, so that a module that cannot load is one error before any gate runs. */
  static async open(spec: SutModuleSpec, workers: number, heapMb = SUT_MODULE_HEAP_MB): Promise<SutModule> {
    const m = new SutModule(spec, workers, heapMb);
    try {
      m.name = (await m.slots[0].open()) ?? m.name;
    } catch (e) {
      await m.close();
      throw e;
    }
    return m;
  }

  async run(req: SutRequest, timeoutMs: number): Promise<SutRun> {
    const slot = this.free.pop() ?? (await new Promise<Slot>((r) => this.waiting.push(r)));
    try {
      return await slot.run(req, timeoutMs);
    } catch (e) {
      // A thread that cannot load the module again (it did once) is the SUT's failure.
      return { kind: 'sut-error', message: e instanceof Error ? e.message : String(e), ms: 0 };
    } finally {
      const next = this.waiting.shift();
      if (next !== undefined) next(slot);
      else this.free.push(slot);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.close()));
  }
}
