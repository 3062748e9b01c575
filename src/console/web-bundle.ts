import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The console's front end: one script and one stylesheet, bundled from src/console/web/. */
export interface WebBundle {
  js: string;
  css: string;
}

/**
 * The project folder: the nearest one above this module with gamepipe's package.json. This module
 * runs from src/ (tests, tsx) or from the CLI bundle under node_modules/.cache, so no fixed `..` fits.
 */
export function projectRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'gamepipe') return dir;
    if (dirname(dir) === dir) throw new Error(`no gamepipe package.json above ${from}`);
  }
}

/**
 * Bundles the front end with the project's esbuild, in memory, when the console starts (a few
 * hundred ms): preact, uPlot and uPlot's CSS come from node_modules, so the page needs no network.
 */
export async function buildWebBundle(root = projectRoot()): Promise<WebBundle> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [join(root, 'src/console/web/main.tsx')],
    bundle: true,
    write: false,
    outdir: 'out',
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    logLevel: 'silent',
    absWorkingDir: root,
  });
  const output = (ext: string) => result.outputFiles.find((f) => f.path.endsWith(ext))?.text ?? '';
  return { js: output('.js'), css: output('.css') };
}

/** The page: it only loads the bundle, which draws everything. */
export const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gamepipe console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/app.css">
</head>
<body>
<div id="app"></div>
<script type="module" src="/app.js"></script>
</body>
</html>
`;
