// Exhaustive schedule search: the explorer and its command-line spec.

export { DfsDivergence, DfsExplorer, type DfsOptions, type Reduction } from './explorer.ts';
export { IterativeBoundedSearch } from './iterative.ts';
export { DFS_SPEC_HELP, parseDfsSpec } from './spec.ts';
