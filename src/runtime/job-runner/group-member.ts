/** What a job hears from its group membership. */
export interface GroupMemberEvents {
  /** The group gave this member these partitions of the job's topic (possibly none). */
  assigned(partitions: number[]): void;
  /** The membership gave up and will not restart. */
  crashed(error: Error): void;
}

/**
 * A job's membership in its consumer group, as the job runner uses it (JobGroupMember on Kafka;
 * tests hand the runner a fake): it gives the job its partitions and keeps the group's offsets.
 */
export interface GroupMember {
  /** Joins the group; resolves once the member runs (its assignments come through `events`). */
  join(events: GroupMemberEvents): Promise<void>;
  /** Records `next` as the group's offset of `partition`, for lag tooling; a failure is only logged. */
  commitOffset(partition: number, next: number): void;
  /** Leaves the group, in bounded time; passes on no event once called. */
  leave(): Promise<void>;
}
