#!/usr/bin/env node
// `gamepipe-run ARGS` is `gamepipe run ARGS`.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../src/cli/main.ts');
await main(['run', ...process.argv.slice(2)]);
