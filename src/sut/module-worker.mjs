// Entry of a SUT-module worker thread: TypeScript loads through tsx in this thread too
// (loader hooks are per thread), so a module may be .ts; then the host takes over.
import { register } from 'tsx/esm/api';

register();
await import('./module-host.ts');
