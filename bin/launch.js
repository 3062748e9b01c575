// Loads the CLI from an esbuild bundle of the TypeScript sources instead of through a TypeScript
// loader: loading ~100 modules through tsx's hooks was most of every command's start-up.
// The bundle is rebuilt whenever a source changes (it is keyed by the sources' paths, sizes and
// modification times), so there is still no build step to remember and never a stale build.
// Plain JavaScript: it has to run before anything is compiled.
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const PROJECT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE_DIRS = ['src', 'api'];
// The CLI, the processing thread's entry (a worker thread loads a module of its own) and the
// console's query process.
const ENTRIES = {
  main: 'src/cli/main.ts',
  'processing-worker': 'src/runtime/processing/processing-worker.ts',
  'console-query-process': 'src/console/query-process.ts',
};
// node_modules/.cache is where tools keep rebuildable output; bare imports resolve from there too.
const BUILDS = 'node_modules/.cache/gamepipe-cli';
// Files the code opens relative to its own module (`new URL('./x', import.meta.url)`): in a bundle
// that is the bundle's folder, so they are copied beside it.
const ASSETS = ['src/parquet/parquet-wasm-thread.mjs', 'api/events.yaml'];
// Packages bundled into the build, by the entry file bundled: @platformatic/kafka is ~175 ES module
// files, yaml and apache-arrow many more, and loading them file by file was a large part of a short run's
// start-up (docs/decisions/cli-bundle.md). Their versions are part of the build key, so updating one rebuilds.
const BUNDLED = { '@platformatic/kafka': 'dist/index.js', yaml: 'dist/index.js', 'apache-arrow': 'Arrow.node.mjs' };
// Bump when the build options below change, so existing builds are not reused.
const BUILD_FORMAT = 5;
const UNUSED_MS = 7 * 24 * 60 * 60 * 1000;

/** Every file under `dir`, recursively. */
function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

/** A short key that changes whenever any source file is added, removed or modified, or a bundled package's version. */
function sourceKey(root) {
  const hash = createHash('sha256').update(`format ${BUILD_FORMAT}\n`);
  for (const name of Object.keys(BUNDLED)) {
    const manifest = join(root, 'node_modules', name, 'package.json');
    const version = existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')).version : 'absent';
    hash.update(`${name}@${version}\n`);
  }
  for (const dir of SOURCE_DIRS) {
    for (const file of filesUnder(join(root, dir)).sort()) {
      const { size, mtimeMs } = statSync(file);
      hash.update(`${relative(root, file)} ${size} ${mtimeMs}\n`);
    }
  }
  return hash.digest('hex').slice(0, 16);
}

/** Bundles the CLI into a private folder, then renames it into place, so a reader never sees half a build. */
async function build(root, outdir) {
  const { build: esbuild } = await import('esbuild');
  const work = `${outdir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  rmSync(work, { recursive: true, force: true });
  try {
    await esbuild({
      entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, path]) => [name, join(root, path)])),
      outdir: work,
      bundle: true,
      // Subcommands import lazily (validate never loads Kafka or DuckDB); splitting keeps that.
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      // A few pure-JavaScript packages every run loads are bundled in rather than loaded file by
      // file from node_modules (see BUNDLED). chevrotain needs no entry: src/dsl/chevrotain.ts
      // already loads the single-file build the package ships.
      alias: Object.fromEntries(Object.entries(BUNDLED).map(([name, entry]) => [name, join(root, 'node_modules', name, entry)])),
      // Bundled CommonJS (yaml) requires node's built-in modules.
      banner: { js: "import { createRequire as __gamepipeRequire } from 'node:module'; const require = __gamepipeRequire(import.meta.url);" },
      sourcemap: true,
      logLevel: 'error',
    });
  } catch (err) {
    rmSync(work, { recursive: true, force: true });
    throw err;
  }
  for (const asset of ASSETS) copyFileSync(join(root, asset), join(work, asset.split('/').at(-1)));
  try {
    renameSync(work, outdir);
  } catch (err) {
    // Another process built the same sources first; its build is as good as ours.
    rmSync(work, { recursive: true, force: true });
    if (!existsSync(join(outdir, 'main.js'))) throw err;
  }
}

/**
 * Removes builds not started for a week. A process still running an older build loads a few files
 * late (lazy subcommands, the Parquet worker), so a build is kept well past its last start.
 */
function pruneUnusedBuilds(builds, keep) {
  for (const name of readdirSync(builds)) {
    const path = join(builds, name);
    // Another process starting at the same moment may rename its build folder away meanwhile.
    const stats = statSync(path, { throwIfNoEntry: false });
    if (name !== keep && stats && Date.now() - stats.mtimeMs > UNUSED_MS) rmSync(path, { recursive: true, force: true });
  }
}

/** The CLI module (`main(args)`), bundled from the current sources of the project at `root`. */
export async function loadCli(root = PROJECT) {
  const key = sourceKey(root);
  const builds = join(root, BUILDS);
  const outdir = join(builds, key);
  if (existsSync(join(outdir, 'main.js'))) {
    const now = new Date();
    utimesSync(outdir, now, now);
  } else {
    await build(root, outdir);
    pruneUnusedBuilds(builds, key);
  }
  // Stack traces of internal errors then point at the TypeScript sources, not the bundle.
  process.setSourceMapsEnabled(true);
  return import(pathToFileURL(join(outdir, 'main.js')).href);
}
