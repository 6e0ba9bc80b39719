// procsim as a library: `import { ... } from 'procsim'` (package.json "exports"). The modules
// are TypeScript, run as they are: a consumer runs them under tsx or vitest (both load .ts).

/** Generated process programs for the interp guest: fast-check arbitraries, their text form, and running one under a list of choices. */
export { choicesArb, forkingProgramArb, MAX_DEPTH, MAX_FORKS, programArb, type ProgramShape } from './sim/programs/arbitrary.ts';
export { decodeProgram, encodeProgram, type Op, type Program, ProgramSyntaxError } from './sim/programs/program.ts';
export { type GeneratedOptions, type GeneratedRun, runGenerated, runGeneratedWith } from './sim/programs/run.ts';
export { type Observation, parseRun, type RunView, type TraceEvent } from './sim/programs/observations.ts';

/** Trace predicates: judge a run's events (trace lines and observations) to a Verdict. */
export { all, always, before, describe as describeRunEvent, eventually, exactlyOnce, fail, never, OK, type Condition, type RunEvent, type Verdict } from './sim/predicates.ts';

/** The contract properties (P0.1-P0.4, P1.x, P2.x), their gates, and the run-level checks of any traced run. */
export { CONTRACT_GATES, CONTRACT_PROPERTIES, RUN_CONTRACTS, runContractViolations } from './sim/contracts/index.ts';
export { type Case, casesOf, type ContractProperty, type Judgement, universal } from './sim/contracts/property.ts';
export { World } from './sim/contracts/world.ts';

/** Simulation: one run of a kernel under a strategy, or of a target (program and system) with a captured console. */
export { simulate, type SimOptions, type SimResult, type Verdict as SimVerdict, verdictText } from './sim/engine.ts';
export { simulateTarget, type Target, type TargetRun, type TargetRunOptions } from './sim/target.ts';
export { parseStrategy } from './sim/strategies/index.ts';
export type { Strategy } from './sim/strategy.ts';
export { KERNEL_VARIANTS, type KernelVariantName } from './process/variants/index.ts';

/** The gates of every phase, their evaluation and reports. */
export { ALL_GATES } from './sim/gates/index.ts';
export { evaluateGate, gatesUpTo, selectGates } from './sim/gates/evaluate.ts';
export type { Gate, GateOptions, GateResult } from './sim/gates/gate.ts';
export { makeReport, reportJson, reportJunit, reportText } from './sim/gates/report.ts';

/** Process-event logs (src/sim/EVENTS.md): parse one any emulator wrote and judge it on the phase-1 contracts. */
export { checkEventLog, type ContractResult, type EventsReport, EventLogWriter, parseEventLog } from './sim/events-log/index.ts';

/** Systems under test: the in-process module interface (examples/README.md), opening one, and the SUT gates. */
export type { CreateSut, Sut, SutRequest, SutResult } from './sut/module-api.ts';
export { parseSutModuleSpec } from './sut/module.ts';
export { commandSystem, moduleSystem, type SystemUnderTest } from './sut/system.ts';
export { parseSutCommand, type SutRun } from './sut/command.ts';
export { evaluateSutGate, judgeSutRun, SUT_GATES, type SutOptions } from './sut/gate.ts';
