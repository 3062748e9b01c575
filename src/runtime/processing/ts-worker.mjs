// Starts a TypeScript worker when gamepipe runs from its sources (tests, tsx): a worker thread does
// not inherit its parent's TypeScript loader. The bundled CLI starts its compiled worker directly.
import { workerData } from 'node:worker_threads';

const { register } = await import('tsx/esm/api');
register();
await import(workerData.entry);
