import type { Watermarks } from '../../kafka/watermarks.js';

export type { Watermarks };

/** What a job runner asks of the topic reader that feeds it. */
export interface ReaderLink {
  /** This job wants `partition` read from `offset` on, or (undefined) not at all. */
  readFrom(partition: number, offset: number | undefined): void;
  /** The topic's low and high watermarks, per partition. */
  watermarks(): Promise<Map<number, Watermarks>>;
}
