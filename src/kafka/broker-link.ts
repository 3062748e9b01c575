import { decodeApiVersionsResponse, encodeApiVersionsRequest, newestVersion, type ApiVersions } from './api-versions-wire.js';
import { BrokerConnection } from './broker-connection.js';
import type { KafkaConnectionSettings } from './connection-settings.js';

const CONNECT_TIMEOUT_MS = 3_000;
// Sent as the client software version (Kafka checks it against [a-zA-Z0-9.-]).
const SOFTWARE_VERSION = '0.1.0';

/** A request the broker answers in no version gamepipe writes. */
export class UnsupportedApiError extends Error {
  constructor(address: string, what: string) {
    super(`${address} answers no version of ${what} that gamepipe writes`);
    this.name = 'UnsupportedApiError';
  }
}

/**
 * One connection to a broker for the fetch path, and the request versions it answers (asked with
 * ApiVersions once, before the first request that needs them). Broken for good once its
 * connection is; the owner opens another.
 */
export class BrokerLink {
  private versions: Promise<ApiVersions> | undefined;

  constructor(
    private readonly connection: Pick<BrokerConnection, 'request' | 'close' | 'broken' | 'address'>,
    private readonly clientId: string,
  ) {}

  get address(): string {
    return this.connection.address;
  }

  get broken(): boolean {
    return this.connection.broken;
  }

  /**
   * The newest version of `apiKey` in [`min`, `max`] the broker answers, or undefined when none.
   * The first call asks the broker (one ApiVersions request).
   */
  async version(apiKey: number, min: number, max: number, timeoutMs: number): Promise<number | undefined> {
    this.versions ??= this.connection
      .request((correlationId) => encodeApiVersionsRequest(correlationId, this.clientId, SOFTWARE_VERSION), timeoutMs)
      .then(decodeApiVersionsResponse);
    const versions = this.versions;
    // A failed ask is asked again on the next call (the connection usually broke with it).
    versions.catch(() => {
      if (this.versions === versions) this.versions = undefined;
    });
    return newestVersion(await versions, apiKey, min, max);
  }

  /** Like `version`, but a broker that answers none is an UnsupportedApiError naming `what`. */
  async requireVersion(apiKey: number, min: number, max: number, timeoutMs: number, what: string): Promise<number> {
    const version = await this.version(apiKey, min, max, timeoutMs);
    if (version === undefined) throw new UnsupportedApiError(this.address, `${what} (v${min} to v${max})`);
    return version;
  }

  request(encode: (correlationId: number) => Buffer, timeoutMs: number): Promise<Buffer> {
    return this.connection.request(encode, timeoutMs);
  }

  close(): void {
    this.connection.close();
  }
}


/**
 * Opens a link to the broker at `host`:`port`. The one place the fetch path constructs a
 * BrokerConnection: the connection settings (TLS, SASL) are applied here.
 */
export function openBrokerLink(settings: KafkaConnectionSettings, host: string, port: number, clientId: string): BrokerLink {
  return new BrokerLink(new BrokerConnection(settings, host, port, CONNECT_TIMEOUT_MS), clientId);
}
