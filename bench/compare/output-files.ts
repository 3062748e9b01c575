// Finds the committed Parquet files of one output table folder, for any contender.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

function walkParquet(dir: string, out: string[]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return; // not created yet
  }
  for (const e of entries) {
    // `.name.crc`, `_spark_metadata`, `_checkpoints` and in-progress dot files are never table data.
    if (e.name.startsWith('.') || e.name.startsWith('_')) continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) walkParquet(path, out);
    else if (e.name.endsWith('.parquet')) out.push(path);
  }
}

/** Files Spark's file sink has committed: the paths its `_spark_metadata` log lists. */
function sparkCommitted(metadataDir: string): string[] {
  const out = new Set<string>();
  for (const name of readdirSync(metadataDir)) {
    if (name.startsWith('.') || name.endsWith('.tmp')) continue;
    let text: string;
    try {
      text = readFileSync(join(metadataDir, name), 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        const entry = JSON.parse(line) as { path?: string; action?: string };
        if (entry.path && entry.action !== 'delete') out.add(entry.path.startsWith('file:') ? fileURLToPath(entry.path) : entry.path);
      } catch {
        // A log file being written; the next poll reads it whole.
      }
    }
  }
  return [...out].filter((p) => p.endsWith('.parquet'));
}

/**
 * The table's committed Parquet files: for a Spark sink, the ones its metadata log lists (a part
 * file is there before its batch commits); otherwise every visible `*.parquet` under the folder.
 */
export function committedParquetFiles(dir: string): string[] {
  const metadata = join(dir, '_spark_metadata');
  if (existsSync(metadata)) return sparkCommitted(metadata).sort();
  const out: string[] = [];
  walkParquet(dir, out);
  return out.sort();
}

/** Total bytes and count of the `*.parquet` files under `dir` (committed or not). */
export function parquetFootprint(dir: string): { bytes: number; files: number } {
  const files: string[] = [];
  walkParquet(dir, files);
  let bytes = 0;
  for (const f of files) bytes += statSync(f).size;
  return { bytes, files: files.length };
}
