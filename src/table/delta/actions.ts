// The actions of the Delta Lake transaction log (PROTOCOL.md, reader version 1 / writer version 2),
// as far as gamepipe writes and reads them. A commit file holds one JSON action per line.

export interface ProtocolAction {
  minReaderVersion: number;
  minWriterVersion: number;
}

export interface MetaDataAction {
  id: string;
  name?: string;
  format: { provider: 'parquet'; options: Record<string, string> };
  /** The table schema as a JSON-encoded Delta struct type (see schema.ts). */
  schemaString: string;
  partitionColumns: string[];
  configuration: Record<string, string>;
  createdTime: number;
}

export interface AddAction {
  /** Relative to the table root, URI-encoded. */
  path: string;
  partitionValues: Record<string, string | null>;
  size: number;
  modificationTime: number;
  dataChange: boolean;
  /** JSON: numRecords, minValues, maxValues, nullCount. */
  stats?: string;
}

export interface RemoveAction {
  path: string;
  deletionTimestamp: number;
  dataChange: boolean;
  extendedFileMetadata?: boolean;
  partitionValues?: Record<string, string | null>;
  size?: number;
}

/** An application's progress, kept in the table: gamepipe's is the next Kafka offset of one partition. */
export interface TxnAction {
  appId: string;
  version: number;
  lastUpdated?: number;
}

export type Action =
  | { protocol: ProtocolAction }
  | { metaData: MetaDataAction }
  | { add: AddAction }
  | { remove: RemoveAction }
  | { txn: TxnAction }
  | { commitInfo: Record<string, unknown> };

/** The name of version `version`'s commit file in `_delta_log/`. */
export function commitKey(version: number): string {
  return `_delta_log/${String(version).padStart(20, '0')}.json`;
}

/** The name of the single-file checkpoint of `version`. */
export function checkpointKey(version: number): string {
  return `_delta_log/${String(version).padStart(20, '0')}.checkpoint.parquet`;
}

export const LAST_CHECKPOINT_KEY = '_delta_log/_last_checkpoint';

/** The version a `_delta_log/` commit file name stands for, or undefined for any other file. */
export function commitVersion(key: string): number | undefined {
  const match = /_delta_log\/(\d{20})\.json$/.exec(key);
  return match ? Number(match[1]) : undefined;
}

/** A commit file's text: one action per line. */
export function serializeActions(actions: Action[]): string {
  return actions.map((a) => JSON.stringify(a)).join('\n') + '\n';
}

/** Tells why a commit file cannot be read, with the file and line it is about. */
export class DeltaLogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeltaLogError';
  }
}

/** The actions of a commit file's text; actions gamepipe does not know (cdc, domainMetadata, ...) are kept as they are. */
export function parseActions(text: string, where: string): Action[] {
  const actions: Action[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    try {
      actions.push(JSON.parse(line) as Action);
    } catch (err) {
      throw new DeltaLogError(`${where}:${i + 1}: not a JSON action (${(err as Error).message})`);
    }
  }
  return actions;
}
