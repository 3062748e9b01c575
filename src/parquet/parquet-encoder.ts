import type { EncoderRows } from './owned-table.js';
import { UserError } from '../user-error.js';
import { parquetWasmEncoder } from './parquet-wasm-encoder.js';

/**
 * Turns one Arrow table (a batch's rows, or a Delta checkpoint's actions) into the bytes of one
 * Parquet file. Pure: the caller writes, fsyncs and renames.
 */
export interface ParquetEncoder {
  readonly name: string;
  /**
   * The rows' Parquet file. An OwnedTable is taken (its memory may move to the encoding thread, and
   * it cannot be read once this is called); a plain table is only read. `tableKey` names the table
   * the file belongs to, so what an encoder learns from one batch can serve the next ones.
   */
  encode(rows: EncoderRows, tableKey?: string): Promise<Uint8Array>;
  /** Prepares what the first `encode` would (a thread, a WASM module) ahead of it; optional. */
  warmUp?(): void;
}

/** An encoder whose module loads on first use, so the default one never pays for the others. */
function loadedOnUse(name: string, load: () => Promise<ParquetEncoder>): ParquetEncoder {
  let encoder: Promise<ParquetEncoder> | undefined;
  return { name, encode: async (rows, tableKey) => (await (encoder ??= load())).encode(rows, tableKey) };
}

const ENCODERS: Record<string, () => ParquetEncoder> = {
  'parquet-wasm-zstd': () => parquetWasmEncoder('zstd'),
  'parquet-wasm-snappy': () => parquetWasmEncoder('snappy'),
  'parquetjs-lite': () =>
    loadedOnUse('parquetjs-lite', async () => (await import('./parquetjs-lite-encoder.js')).parquetjsLiteEncoder()),
};

/** The writer gamepipe ships with: fastest build + encode measured (bench/parquet-writers.md); zstd halves the files for ~2x the CPU. */
const DEFAULT_ENCODER = 'parquet-wasm-snappy';

/** The names `parquetEncoderByName` and GAMEPIPE_PARQUET_WRITER accept. */
export const parquetEncoderNames = Object.keys(ENCODERS);

/** The encoder called `name`; a UserError naming the known ones otherwise. */
export function parquetEncoderByName(name: string, where = 'Parquet writer'): ParquetEncoder {
  const make = ENCODERS[name];
  if (!make) {
    throw new UserError(`${where}: unknown Parquet writer '${name}' (known: ${parquetEncoderNames.join(', ')})`);
  }
  return make();
}

/** The encoder to use: GAMEPIPE_PARQUET_WRITER when set, else the measured winner. */
export function defaultParquetEncoder(env: NodeJS.ProcessEnv = process.env): ParquetEncoder {
  const override = env.GAMEPIPE_PARQUET_WRITER;
  return override ? parquetEncoderByName(override, 'GAMEPIPE_PARQUET_WRITER') : parquetEncoderByName(DEFAULT_ENCODER);
}
