import type { Action, AddAction, MetaDataAction, ProtocolAction, RemoveAction, TxnAction } from './actions.js';
import { DeltaLogError } from './actions.js';

/** The writer and reader versions gamepipe understands; a table asking for more is refused. */
export const READER_VERSION = 1;
export const WRITER_VERSION = 2;

/**
 * The state of a Delta table at one version: protocol, metadata, live files, app transactions and
 * tombstones, built by replaying actions in version order. Mutable: `apply` moves it on by a commit.
 */
export class DeltaSnapshot {
  version = -1;
  protocol: ProtocolAction | undefined;
  metaData: MetaDataAction | undefined;
  readonly files = new Map<string, AddAction>();
  readonly txns = new Map<string, TxnAction>();
  readonly tombstones = new Map<string, RemoveAction>();

  /** Applies the actions of commit `version`, which must be the next one. */
  apply(version: number, actions: Action[], where: string): void {
    if (version !== this.version + 1) throw new DeltaLogError(`${where}: version ${version} follows ${this.version}`);
    for (const action of actions) {
      if ('add' in action) {
        this.files.set(action.add.path, action.add);
        this.tombstones.delete(action.add.path);
      } else if ('remove' in action) {
        this.files.delete(action.remove.path);
        this.tombstones.set(action.remove.path, action.remove);
      } else if ('txn' in action) {
        this.txns.set(action.txn.appId, action.txn);
      } else if ('metaData' in action) {
        this.metaData = action.metaData;
      } else if ('protocol' in action) {
        const p = action.protocol;
        if (p.minReaderVersion > READER_VERSION || p.minWriterVersion > WRITER_VERSION) {
          throw new DeltaLogError(`${where}: the table needs reader ${p.minReaderVersion} / writer ${p.minWriterVersion}; gamepipe writes reader ${READER_VERSION} / writer ${WRITER_VERSION} tables`);
        }
        this.protocol = p;
      }
    }
    this.version = version;
  }

  /** Every action a checkpoint of this version holds. */
  checkpointActions(): Action[] {
    const actions: Action[] = [];
    if (this.protocol) actions.push({ protocol: this.protocol });
    if (this.metaData) actions.push({ metaData: this.metaData });
    for (const txn of this.txns.values()) actions.push({ txn });
    for (const add of this.files.values()) actions.push({ add: { ...add, dataChange: false } });
    for (const remove of this.tombstones.values()) actions.push({ remove: { ...remove, dataChange: false } });
    return actions;
  }
}
