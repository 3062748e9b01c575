#!/usr/bin/env node
// `gamepipe ARGS`: the CLI, from a bundle of the current sources (see launch.js).
import { loadCli } from './launch.js';
const { main } = await loadCli();
await main(process.argv.slice(2));
