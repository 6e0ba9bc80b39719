// A SUT-module worker thread: loads the module, makes one SUT instance, and runs the
// requests it is sent one at a time. A run that throws is reported, not fatal; a run that
// never returns is the parent's to time out (it terminates this thread).

import { parentPort, workerData } from 'node:worker_threads';
import type { CreateSut, Sut, SutRequest, SutResult } from './module-api.ts';

export interface HostData {
  url: string;
  options: Record<string, string>;
}

export type HostRequest = { id: number; req: SutRequest } | { id: number; close: true };

export type HostReply =
  | { kind: 'ready'; name?: string }
  | { kind: 'load-error'; message: string }
  | { id: number; kind: 'result'; result: SutResult }
  | { id: number; kind: 'error'; message: string }
  | { id: number; kind: 'closed' };

const post = (m: HostReply): void => parentPort!.postMessage(m);
const why = (e: unknown): string => (e instanceof Error ? e.message : String(e));

async function load(d: HostData): Promise<Sut> {
  const mod = (await import(d.url)) as { createSut?: CreateSut; default?: { createSut?: CreateSut } };
  const create = mod.createSut ?? mod.default?.createSut;
  if (typeof create !== 'function') throw new Error('it exports no createSut(options) function');
  const sut = await create(d.options);
  if (sut === null || typeof sut !== 'object' || typeof sut.run !== 'function') throw new Error('createSut(options) returned no object with a run(request) method');
  return sut;
}

let sut: Sut;
try {
  sut = await load(workerData as HostData);
  post({ kind: 'ready', name: typeof sut.name === 'string' ? sut.name : undefined });
} catch (e) {
  post({ kind: 'load-error', message: why(e) });
  process.exit(0);
}

// Requests come one at a time (the parent waits for each reply), so runs never overlap.
parentPort!.on('message', async (m: HostRequest) => {
  if ('close' in m) {
    try {
      await sut.close?.();
    } finally {
      post({ id: m.id, kind: 'closed' });
    }
    return;
  }
  try {
    post({ id: m.id, kind: 'result', result: await sut.run(m.req) });
  } catch (e) {
    post({ id: m.id, kind: 'error', message: why(e) });
  }
});
