// Entry of an exploration worker thread: TypeScript modules load through tsx in this thread
// too (loader hooks are per thread), then the worker proper (worker-main.ts) takes over.
import { register } from 'tsx/esm/api';

register();
await import('./worker-main.ts');
