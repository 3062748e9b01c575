import type { KafkaClient } from '../kafka/client.js';
import type { CompiledJob, Diagnostic } from '../dsl/job-spec.js';
import { formatDiagnostic } from '../dsl/format-diagnostic.js';
import { loadJobs } from '../dsl/load-jobs.js';
import type { JobStore } from '../table/job-store.js';
import { SchemaChangeError } from '../table/schema-change.js';
import { openJobStore } from '../table/open-job-store.js';
import { BrokerSecurityError } from '../kafka/broker-connection.js';
import { JobGroupMember } from '../kafka/group-member.js';
import type { KafkaAdmin } from '../kafka/admin.js';
import { boundedWait, LEAVE_WAIT_MS } from '../bounded-wait.js';
import { fixedTopics, matchingTopics } from '../dsl/topic-pattern.js';
import { JobRunner, type JobEvents } from './job-runner/job-runner.js';
import type { Logger } from '../logger.js';
import type { ParquetEncoder } from '../parquet/parquet-encoder.js';
import { BadRecordError } from './bad-record-error.js';
import { ProcessingPool } from './processing/processing-pool.js';
import type { JobRoster, RunningJob } from './running-jobs.js';
import { TopicReader } from './topic-reader.js';
import { SerialQueue } from '../serial-queue.js';

export interface SupervisorOptions {
  /** Job files and folders of `*.job.yaml`. */
  paths: string[];
  kafka: KafkaClient;
  encoder: ParquetEncoder;
  log: Logger;
  /** Process each job to the end offsets seen at start, then end (no watching). */
  once: boolean;
  /** How often the job files are looked at again for added, changed and removed jobs. */
  rescanMs?: number;
  events?: JobEvents;
  /** Where job-file problems are reported (in `gamepipe validate`'s format). */
  report?: (message: string) => void;
  /** How often the cluster's topics are matched again against the `topic_pattern` of running jobs. */
  topicRefreshMs?: number;
}

/** One topic of a running job: its group member, the runner that reads it and the reader it shares with other jobs. */
interface TopicPart {
  topic: string;
  member: JobGroupMember;
  runner: JobRunner;
  reader: TopicReader;
}

interface Running {
  /** One per topic the job reads; a pattern job gains one when a topic starts matching. */
  parts: TopicPart[];
  text: string;
  job: CompiledJob;
  store: JobStore;
  /** The file's first error while it does not validate (this job runs on meanwhile). */
  invalidFile: string | undefined;
  /** Consecutive failed starts or crashes, for the restart backoff. */
  attempts: number;
  /** Set once a part failed: the job's other parts are stopped, and it is restarted (or not) once. */
  failed: boolean;
}

const MAX_RESTART_DELAY_MS = 5_000;
/** How long a stop may keep reading to take in what the topic already held. */
const STOP_DRAIN_MS = 3_000;
/**
 * How often a pattern job looks for topics that started matching: one topic listing per look for
 * all pattern jobs, and a new topic's records wait at most this long (Kafka's own clients look
 * every 5 minutes, metadata.max.age.ms).
 */
const TOPIC_REFRESH_MS = 30_000;
const TOPIC_LIST_WAIT_MS = 10_000;

/** GAMEPIPE_TOPIC_REFRESH_MS (milliseconds, at least 100), else TOPIC_REFRESH_MS. */
function topicRefreshMs(): number {
  const set = Number(process.env.GAMEPIPE_TOPIC_REFRESH_MS);
  return Number.isInteger(set) && set >= 100 ? set : TOPIC_REFRESH_MS;
}

/**
 * Runs every job found under the given paths, and keeps them in step with the files: a new file
 * starts its job, a changed one restarts only that job, a removed one stops it, an invalid one is
 * reported while the others (and its own last good version, marked as such) keep running. Jobs on
 * the same topic share one topic reader. It is the runner's one reader of job files: the rest of
 * the runner takes the running jobs from `jobs()`.
 */
export class JobSupervisor implements JobRoster {
  private readonly running = new Map<string, Running>();
  private readonly readers = new Map<string, TopicReader>();
  private readonly reported = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private topicTimer: NodeJS.Timeout | undefined;
  /** Lists the cluster's topics for pattern jobs; made on first use. */
  private admin: KafkaAdmin | undefined;
  /** Starts, rescans and restarts, one at a time. */
  private readonly serial = new SerialQueue();
  private stopped = false;
  private stopping: Promise<void> | undefined;
  private onStop!: () => void;
  private readonly stopCalled = new Promise<void>((resolve) => (this.onStop = resolve));
  failures = 0;
  /** The last error of each job that failed, by job name. */
  readonly failed = new Map<string, string>();
  /**
   * The first refusal of the connection settings (a wrong password, an untrusted certificate):
   * no restart can pass it, so the runner ends with it instead of retrying.
   */
  settingsRefused: BrokerSecurityError | undefined;
  private onSettingsRefused!: (err: BrokerSecurityError) => void;
  /** Settles with the settings' first refusal; never, while they are accepted. */
  readonly whenSettingsRefused = new Promise<BrokerSecurityError>((resolve) => (this.onSettingsRefused = resolve));
  /** The processing threads every job of this runner shares. */
  private readonly processing: ProcessingPool;

  constructor(private readonly options: SupervisorOptions) {
    this.processing = new ProcessingPool(undefined, (err) => this.options.log.error({ error: err.message }, 'processing thread stopped; its jobs restart from their checkpoints'));
  }

  /**
   * Loads and starts the jobs; resolves once they joined their groups, or when a stop comes first
   * (with the broker away a start waits for it, and the stop must not).
   */
  async start(): Promise<{ started: number; diagnostics: Diagnostic[] }> {
    // The threads load their code on the second core while the jobs load and join their groups.
    this.processing.warmUp();
    this.options.encoder.warmUp?.();
    const loaded = await loadJobs(this.options.paths);
    this.reportDiagnostics(loaded.diagnostics, loaded.sources);
    const starting = Promise.all(loaded.jobs.map((job) => this.startJob(job, loaded.sources.get(job.spec.file) ?? '')));
    await Promise.race([starting, this.stopCalled]);
    if (!this.options.once && !this.stopped) {
      this.timer = setInterval(() => void this.runSerially(() => this.rescan()), this.options.rescanMs ?? 1000);
      this.topicTimer = setInterval(() => void this.runSerially(() => this.refreshPatternTopics()), this.options.topicRefreshMs ?? topicRefreshMs());
    }
    return { started: loaded.jobs.length, diagnostics: loaded.diagnostics };
  }

  /** Resolves when every job has ended (with `once`: reached the end offsets), then closes the readers. */
  async whenAllDone(): Promise<void> {
    await Promise.all([...this.running.values()].flatMap((r) => r.parts.map((p) => p.runner.done.catch(() => {}))));
    await Promise.all([...this.readers.values()].map((r) => r.close()));
    await this.processing.stop();
  }

  /**
   * Stops every job: each first reads on to the end its topic had at the stop (for a few seconds
   * at most), then commits its open batch and leaves its group (a couple of seconds at most).
   * Nothing here waits on the broker without a bound, so a stop with Kafka gone takes
   * STOP_DRAIN_MS + LEAVE_WAIT_MS + the commits.
   */
  stop(): Promise<void> {
    this.onStop();
    return (this.stopping ??= this.stopJobs());
  }

  private async stopJobs(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearInterval(this.topicTimer);
    // Not queued behind a rescan: a job starting while the broker is gone waits for it without end.
    // A start or rescan still under way sees `stopped` and starts nothing more; a job mid-start
    // is in `running` already and is stopped below like the others.
    const readers = [...this.readers.values()];
    await Promise.all(readers.map((reader) => reader.drain(STOP_DRAIN_MS)));
    for (const reader of readers) reader.stopWaiting();
    await Promise.all([...this.running.values()].map((entry) => this.stopJob(entry)));
    await this.processing.stop();
    if (this.admin) await boundedWait(this.admin.disconnect(), LEAVE_WAIT_MS);
  }

  /** The running jobs, with the store each writes through and whether its file still validates. */
  jobs(): RunningJob[] {
    return [...this.running.values()].map(({ job, store, invalidFile }) => ({ job, store, invalidFile }));
  }

  private runSerially(work: () => Promise<void>): Promise<void> {
    return this.serial.run(work).catch((err) => this.options.log.error({ error: (err as Error).message }, 'supervisor error'));
  }

  private readerFor(topic: string): TopicReader {
    let reader = this.readers.get(topic);
    if (!reader) {
      reader = new TopicReader(topic, { log: this.options.log, once: this.options.once, processing: this.processing });
      this.readers.set(topic, reader);
    }
    return reader;
  }

  /** `rejoinAs`: per topic, the member id the job's previous start left in its group (JobGroupMember). */
  private async startJob(job: CompiledJob, text: string, attempts = 0, rejoinAs?: ReadonlyMap<string, string | undefined>): Promise<void> {
    if (this.stopped) return;
    const store = openJobStore(job, this.options.encoder);
    const entry: Running = { parts: [], text, job, store, invalidFile: undefined, attempts, failed: false };
    this.running.set(job.spec.file, entry);
    let topics = fixedTopics(job.spec);
    if (!topics) {
      try {
        topics = matchingTopics(job.spec.source.topicPattern!, await this.clusterTopics());
      } catch (err) {
        this.options.log.error({ job: job.spec.job, error: (err as Error).message }, 'job could not start');
        this.onJobFailed(entry, err as Error);
        return;
      }
      if (topics.length === 0) this.options.log.warn({ job: job.spec.job, pattern: job.spec.source.topicPattern }, 'no topic matches the job\'s topic_pattern yet');
    }
    const started = await Promise.all(topics.map((topic) => this.startPart(entry, topic, rejoinAs?.get(topic))));
    if (started.every(Boolean)) {
      entry.attempts = 0;
      this.options.log.info({ job: job.spec.job, file: job.spec.file, topics, sink: job.spec.sink.path }, 'job started');
    }
  }

  /**
   * Starts the runner of `topic` for a running job; false when it could not start (the job then
   * fails). Started means its first assignment is applied: a start that fails there (its
   * watermarks) fails as a start. `rejoinAs`: see startJob.
   */
  private async startPart(entry: Running, topic: string, rejoinAs?: string): Promise<boolean> {
    const { job, store } = entry;
    const member = new JobGroupMember(this.options.kafka, job.spec, this.options.log, { topic, rejoinAs });
    const runner = new JobRunner(job, { topic, store, member, processing: this.processing, log: this.options.log, events: this.options.events });
    const reader = this.readerFor(topic);
    entry.parts.push({ topic, member, runner, reader });
    runner.done.then(
      () => this.releaseReader(reader),
      (err: Error) => {
        void this.releaseReader(reader);
        this.onJobFailed(entry, err);
      },
    );
    // A part of a job that failed meanwhile (another topic's) starts no more.
    if (entry.failed) {
      await runner.fail(new Error(`job ${job.spec.job} failed on another topic`));
      return false;
    }
    try {
      await reader.add(runner);
      return await runner.assignedOnce;
    } catch (err) {
      this.options.log.error({ job: job.spec.job, topic, error: (err as Error).message }, 'job could not start');
      await runner.fail(err as Error);
      return false;
    }
  }

  /** The topics of the cluster, listed now. */
  private clusterTopics(): Promise<string[]> {
    this.admin ??= this.options.kafka.admin();
    return this.admin.listTopics();
  }

  /** Starts reading the topics that started matching a running job's `topic_pattern`, from the job's `source.start`. */
  private async refreshPatternTopics(): Promise<void> {
    const patternJobs = [...this.running.values()].filter((e) => e.job.spec.source.topicPattern !== undefined && !e.failed);
    if (this.stopped || patternJobs.length === 0) return;
    // Bounded: rescans wait behind this in the same queue.
    const cluster = await boundedWait(this.clusterTopics(), TOPIC_LIST_WAIT_MS);
    if (!cluster) {
      this.options.log.warn({}, 'could not list topics for topic_pattern jobs; trying again later');
      return;
    }
    for (const entry of patternJobs) {
      if (this.stopped || entry.failed || this.running.get(entry.job.spec.file) !== entry) continue;
      const known = new Set(entry.parts.map((p) => p.topic));
      for (const topic of matchingTopics(entry.job.spec.source.topicPattern!, cluster)) {
        if (known.has(topic)) continue;
        this.options.log.info({ job: entry.job.spec.job, topic, start: entry.job.spec.source.start }, "a topic started matching the job's topic_pattern; reading it");
        await this.startPart(entry, topic);
      }
    }
  }

  // The group leave and the reader's close both wait on the broker: side by side, not one after the other.
  private async stopJob(entry: Running): Promise<void> {
    await Promise.all(
      entry.parts.map(async ({ runner, reader }) => {
        await reader.remove(runner);
        await Promise.all([runner.left, this.releaseReader(reader)]);
      }),
    );
  }

  private async releaseReader(reader: TopicReader): Promise<void> {
    if (reader.size > 0 || this.readers.get(reader.topic) !== reader) return;
    this.readers.delete(reader.topic);
    await reader.close();
  }

  // A job that failed for a reason of its own data (on_bad_record: fail), because its schema no
  // longer fits its table, or because the cluster refused the connection settings stays stopped;
  // one that failed because of its surroundings (broker gone, disk error) is started again with
  // backoff. A job of several topics fails as a whole: its other parts stop with the same error.
  private onJobFailed(entry: Running, err: Error): void {
    if (entry.failed) return;
    entry.failed = true;
    for (const part of entry.parts) if (!part.runner.stopped) void part.runner.fail(err);
    if (this.running.get(entry.job.spec.file) !== entry) return;
    this.failures++;
    this.failed.set(entry.job.spec.job, err.message);
    if (err instanceof BrokerSecurityError) {
      this.settingsRefused ??= err;
      this.onSettingsRefused(err);
      return;
    }
    if (this.options.once || this.stopped || err instanceof BadRecordError || err instanceof SchemaChangeError) return;
    const delay = Math.min(MAX_RESTART_DELAY_MS, 1000 * 2 ** entry.attempts);
    this.options.log.warn({ job: entry.job.spec.job, error: err.message, retryInMs: delay }, 'job failed; restarting');
    setTimeout(() => {
      if (this.stopped || this.running.get(entry.job.spec.file) !== entry) return;
      // A member whose leave the broker never heard (it was away) would hold the next join until
      // its session ran out: the next member joins as it.
      const leftBehind = new Map(entry.parts.map((part) => [part.topic, part.member.leftBehind]));
      void this.runSerially(() => this.startJob(entry.job, entry.text, entry.attempts + 1, leftBehind));
    }, delay).unref();
  }

  private async rescan(): Promise<void> {
    if (this.stopped) return;
    const loaded = await loadJobs(this.options.paths);
    this.reportDiagnostics(loaded.diagnostics, loaded.sources);
    this.markInvalidFiles(firstErrors(loaded.diagnostics));
    for (const [file, entry] of this.running) {
      if (!loaded.sources.has(file)) {
        this.running.delete(file);
        this.options.log.info({ job: entry.job.spec.job, file }, 'job file removed; stopping the job');
        await this.stopJob(entry);
      }
    }
    for (const job of loaded.jobs) {
      const text = loaded.sources.get(job.spec.file) ?? '';
      const entry = this.running.get(job.spec.file);
      if (entry && entry.text === text) continue;
      if (entry) {
        this.options.log.info({ job: job.spec.job, file: job.spec.file }, 'job file changed; restarting the job');
        this.running.delete(job.spec.file);
        await this.stopJob(entry);
      }
      await this.startJob(job, text);
    }
  }

  // A running job whose file turned invalid is not stopped (the file may be mid-edit, and its
  // table would fall behind); it is marked, so status and metrics can say it runs an old version.
  private markInvalidFiles(errors: Map<string, Diagnostic>): void {
    for (const [file, entry] of this.running) {
      const error = errors.get(file);
      if (!error && entry.invalidFile) this.options.log.info({ job: entry.job.spec.job, file }, 'job file is valid again');
      entry.invalidFile = error && formatDiagnostic(error);
    }
  }

  // Each file's problems are reported once per version of its text, not at every rescan.
  private reportDiagnostics(diagnostics: Diagnostic[], sources: Map<string, string>): void {
    const byFile = new Map<string, Diagnostic[]>();
    for (const d of diagnostics) byFile.set(d.file, [...(byFile.get(d.file) ?? []), d]);
    const first = firstErrors(diagnostics);
    for (const [file, list] of byFile) {
      const text = sources.get(file) ?? '';
      if (this.reported.get(file) === text) continue;
      this.reported.set(file, text);
      const report = this.options.report ?? ((m: string) => process.stderr.write(`${m}\n`));
      for (const d of list) report(formatDiagnostic(d, sources.get(d.file)));
      const error = first.get(file);
      const keeping = this.running.get(file);
      if (keeping && error) {
        this.options.log.warn({ job: keeping.job.spec.job, file, error: formatDiagnostic(error), errors: list.length }, 'job file is invalid; the job keeps running its last valid version');
      } else {
        this.options.log.warn({ file, error: error && formatDiagnostic(error), errors: list.length }, error ? 'job file has errors; not started' : 'job file has warnings');
      }
    }
    for (const file of this.reported.keys()) if (!byFile.has(file)) this.reported.delete(file);
  }
}

/** Each file's first error (warnings do not make a file invalid). */
function firstErrors(diagnostics: Diagnostic[]): Map<string, Diagnostic> {
  const first = new Map<string, Diagnostic>();
  for (const d of diagnostics) if (d.severity === 'error' && !first.has(d.file)) first.set(d.file, d);
  return first;
}
