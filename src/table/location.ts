// Where a job's table lives, from its `sink.path`: a local folder, or `s3://bucket/prefix`.

export type SinkLocation = { kind: 'local'; path: string } | { kind: 's3'; bucket: string; prefix: string };

/** A sink path that names no usable place. */
export class SinkPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SinkPathError';
  }
}

// S3's bucket naming rules (3-63 characters of lowercase letters, digits, dots and hyphens).
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Reads a sink path; throws SinkPathError saying what is wrong with an `s3://` one. Pure. */
export function parseSinkLocation(path: string): SinkLocation {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) return { kind: 'local', path };
  const match = /^s3:\/\/([^/]*)\/?(.*)$/.exec(path);
  if (!match) throw new SinkPathError(`'${path}': only local folders and s3://bucket/prefix are supported`);
  const [, bucket, rest] = match;
  if (!BUCKET.test(bucket!)) throw new SinkPathError(`'${path}': '${bucket}' is not a valid S3 bucket name`);
  const prefix = rest!.replace(/\/+$/, '');
  if (!prefix) throw new SinkPathError(`'${path}': give a prefix for the table inside the bucket (s3://${bucket}/<table>)`);
  return { kind: 's3', bucket: bucket!, prefix };
}

/** The sink path of a job's dead-letter table: the output's, with `_rejected` appended. */
export function rejectedSinkPath(path: string): string {
  return `${path.replace(/\/+$/, '')}_rejected`;
}
