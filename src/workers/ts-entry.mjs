// Starts a TypeScript worker thread or child process when gamepipe runs from its sources (tests,
// tsx): neither inherits its parent's TypeScript loader. The entry module's URL comes as the
// worker's `workerData.entry`, or as a child process's first argument. The bundled CLI starts its
// compiled entries directly.
import { workerData } from 'node:worker_threads';

const { register } = await import('tsx/esm/api');
register();
await import(workerData?.entry ?? process.argv[2]);
