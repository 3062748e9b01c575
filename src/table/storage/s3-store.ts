import type { S3Client } from '@aws-sdk/client-s3';
import { UserError } from '../../user-error.js';
import { KeyExistsError, type ObjectStore, type StoredObject } from './object-store.js';

// AWS answers 409 ConditionalRequestConflict while another conditional write to the key is in
// flight; the write is then tried again, and one of the two finally sees 412.
const CONFLICT_RETRIES = 10;

/** The S3 endpoint the AWS_* variables name (the S3-specific one first), or undefined for AWS itself. */
export function s3Endpoint(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
}

/** The region the AWS_* variables name, us-east-1 when none does. */
export function s3Region(env: NodeJS.ProcessEnv = process.env): string {
  return env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
}

/**
 * An S3 client configured from the standard AWS_* variables of `env` (the process's by default),
 * path-style when an endpoint is set: MinIO and other S3-compatible stores have no per-bucket host names.
 */
export async function s3Client(env: NodeJS.ProcessEnv = process.env): Promise<S3Client> {
  const { S3Client } = await loadS3Sdk();
  const endpoint = s3Endpoint(env);
  return new S3Client({
    region: s3Region(env),
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    // Without keys in `env`, the SDK's own chain (profiles, instance roles) finds them.
    ...(env.AWS_ACCESS_KEY_ID
      ? { credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '', sessionToken: env.AWS_SESSION_TOKEN } }
      : {}),
  });
}

// gamepipe runs on Node 20 (the project's engine); the SDK's multi-line notice about its 2027
// releases would otherwise break the CLI's one-line output on every command that touches S3.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

type S3Sdk = typeof import('@aws-sdk/client-s3');
let sdk: Promise<S3Sdk> | undefined;
/** The SDK once loaded, for what must be synchronous (telling its errors apart). */
let loadedSdk: S3Sdk | undefined;

/**
 * The AWS SDK, loaded on first use: it is large to load, and most runners write only to local
 * folders.
 */
function loadS3Sdk(): Promise<S3Sdk> {
  return (sdk ??= import('@aws-sdk/client-s3').then((loaded) => (loadedSdk = loaded)));
}

let sharedClient: Promise<S3Client> | undefined;

/**
 * S3 could not be used: no credentials, an endpoint that does not answer, access denied, no such
 * bucket. A problem of the environment, said in one line with the object it was about.
 */
export class S3StorageError extends UserError {
  constructor(url: string, cause: unknown) {
    const why = cause instanceof Error ? (cause.message.split('\n')[0] || cause.name) : String(cause);
    const endpoint = s3Endpoint();
    super(`S3 request for ${url} failed: ${why}${endpoint ? ` (AWS_ENDPOINT_URL=${endpoint})` : ''}`);
    this.name = 'S3StorageError';
  }
}

// An error from a request means the SDK was loaded to send it.
function statusOf(err: unknown): number | undefined {
  return loadedSdk && err instanceof loadedSdk.S3ServiceException ? err.$metadata.httpStatusCode : undefined;
}

/** A table root at `s3://bucket/prefix`; works the same with AWS S3 and S3-compatible stores. */
export class S3Store implements ObjectStore {
  readonly root: string;
  private readonly prefix: string;

  constructor(
    readonly bucket: string,
    prefix: string,
  ) {
    this.prefix = prefix.replace(/^\/+|\/+$/g, '');
    this.root = `s3://${bucket}/${this.prefix}`;
  }

  /** Sends one request; errors the store does not act on become an S3StorageError naming `key`. */
  private async send<T>(
    key: string,
    request: (client: S3Client, sdk: S3Sdk) => Promise<T>,
    expected: (status: number | undefined) => boolean = () => false,
  ): Promise<T> {
    try {
      const client = await (sharedClient ??= s3Client());
      return await request(client, await loadS3Sdk());
    } catch (err) {
      if (expected(statusOf(err))) throw err;
      throw new S3StorageError(this.url(key), err);
    }
  }

  private objectKey(key: string): string {
    return this.prefix ? `${this.prefix}/${key}` : key;
  }

  url(key: string): string {
    return `s3://${this.bucket}/${this.objectKey(key)}`;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      const out = await this.send(key, (client, { GetObjectCommand }) => client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) })), (s) => s === 404);
      return await out.Body!.transformToByteArray();
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  }

  async put(key: string, data: Uint8Array | string): Promise<void> {
    await this.send(key, (client, { PutObjectCommand }) => client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key), Body: data })));
  }

  async putIfAbsent(key: string, data: Uint8Array | string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.send(
          key,
          (client, { PutObjectCommand }) => client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key), Body: data, IfNoneMatch: '*' })),
          (s) => s === 412 || s === 409,
        );
        return;
      } catch (err) {
        const status = statusOf(err);
        if (status === 412) throw new KeyExistsError(key);
        if (status !== 409 || attempt >= CONFLICT_RETRIES) throw new S3StorageError(this.url(key), err);
        await new Promise((r) => setTimeout(r, 20 * (attempt + 1)));
      }
    }
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const objects: StoredObject[] = [];
    const strip = this.prefix ? this.prefix.length + 1 : 0;
    let token: string | undefined;
    do {
      const page = await this.send(prefix, (client, { ListObjectsV2Command }) =>
        client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.objectKey(prefix), ContinuationToken: token })),
      );
      for (const o of page.Contents ?? []) {
        objects.push({ key: o.Key!.slice(strip), bytes: o.Size ?? 0, modifiedMs: o.LastModified?.getTime() ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return objects;
  }

  async delete(key: string): Promise<void> {
    await this.send(key, (client, { DeleteObjectCommand }) => client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) })));
  }
}
