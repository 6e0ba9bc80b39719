// Trace predicates: the small temporal vocabulary the process-model contracts are written in
// (always, never, eventually, exactlyOnce, before), over a run's trace events or the guest's
// observations, in order. A condition returns true when an event satisfies it, false when
// not, or a string: "no, because ...". Each predicate returns a Verdict whose message, on
// failure, names the steps involved, so a failing property says what happened where.
// See properties/README.md, "Trace predicates", for how to write your own.

import { describeEvent, type Observation, type TraceEvent } from './programs/observations.ts';

/** Something that happened in a run: a trace event or an observation of the guest. */
export type RunEvent = TraceEvent | Observation;

/** true: satisfied; false or a reason: not. */
export type Condition<E> = (e: E) => boolean | string;

export type Verdict = { ok: true } | { ok: false; message: string };

export const OK: Verdict = { ok: true };

/** A short description of an event for failure messages. */
export function describe(e: RunEvent): string {
  if ('tag' in e && typeof e.tag === 'string' && 'text' in e) {
    const o = e as Observation;
    return `${o.proc} observes "${o.text}"${o.call?.step !== undefined ? ` (step ${o.call.step})` : ''}`;
  }
  return describeEvent(e as TraceEvent);
}

const holds = (r: boolean | string): boolean => r === true;
const reason = (r: boolean | string): string => (typeof r === 'string' ? `: ${r}` : '');

/** Every event satisfies `cond`. */
export function always<E extends RunEvent>(what: string, events: readonly E[], cond: Condition<E>): Verdict {
  const bad: string[] = [];
  for (const e of events) {
    const r = cond(e);
    if (!holds(r)) bad.push(`${describe(e)}${reason(r)}`);
  }
  if (bad.length === 0) return OK;
  const more = bad.length > 1 ? ` (and ${bad.length - 1} more: ${bad.slice(1, 3).join('; ')}${bad.length > 3 ? '; ...' : ''})` : '';
  return { ok: false, message: `always ${what}: fails at ${bad[0]}${more}` };
}

/** No event satisfies `cond` (a string result counts as "does not satisfy"). */
export function never<E extends RunEvent>(what: string, events: readonly E[], cond: (e: E) => boolean): Verdict {
  const hit = events.filter((e) => cond(e));
  if (hit.length === 0) return OK;
  return { ok: false, message: `never ${what}: happens at ${hit.slice(0, 3).map(describe).join('; ')}${hit.length > 3 ? '; ...' : ''}` };
}

/** Some event satisfies `cond`. */
export function eventually<E extends RunEvent>(what: string, events: readonly E[], cond: (e: E) => boolean): Verdict {
  if (events.some((e) => cond(e))) return OK;
  const span = events.length === 0 ? 'no events' : `${events.length} events, ${describe(events[0])} to ${describe(events[events.length - 1])}`;
  return { ok: false, message: `eventually ${what}: never happens (${span})` };
}

/** Exactly one event satisfies `cond`. */
export function exactlyOnce<E extends RunEvent>(what: string, events: readonly E[], cond: (e: E) => boolean): Verdict {
  const hit = events.filter((e) => cond(e));
  if (hit.length === 1) return OK;
  if (hit.length === 0) return { ok: false, message: `exactly once ${what}: never happens` };
  return { ok: false, message: `exactly once ${what}: happens ${hit.length} times: ${hit.slice(0, 3).map(describe).join('; ')}${hit.length > 3 ? '; ...' : ''}` };
}

/** Every event satisfying `b` comes after some event satisfying `a` (vacuous when no `b`). */
export function before<E extends RunEvent>(what: string, events: readonly E[], a: (e: E) => boolean, b: (e: E) => boolean): Verdict {
  let seen = false;
  for (const e of events) {
    if (b(e) && !seen) return { ok: false, message: `before ${what}: ${describe(e)} happens with nothing before it` };
    if (a(e)) seen = true;
  }
  return OK;
}

/** The first failure among verdicts, else OK. */
export function all(...verdicts: Verdict[]): Verdict {
  return verdicts.find((v) => !v.ok) ?? OK;
}

/** A failure with a message of its own (for a fact no event shows). */
export function fail(message: string): Verdict {
  return { ok: false, message };
}
