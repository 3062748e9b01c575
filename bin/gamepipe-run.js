#!/usr/bin/env node
// `gamepipe-run ARGS` is `gamepipe run ARGS`.
import { loadCli } from './launch.js';
const { main } = await loadCli();
await main(['run', ...process.argv.slice(2)]);
