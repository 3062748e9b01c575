import { quickAdmin, type KafkaAdmin } from './client.js';

const RECONNECT_MS = 10_000;

/**
 * A Kafka admin for lag, connected on first use and again at most every 10 s while Kafka is down,
 * so a page load never waits on Kafka's retries.
 */
export class LagAdmin {
  private admin: KafkaAdmin | undefined;
  private connected = false;
  private triedAt = 0;

  async get(): Promise<KafkaAdmin | undefined> {
    if (this.connected) return this.admin;
    if (Date.now() - this.triedAt < RECONNECT_MS) return undefined;
    this.triedAt = Date.now();
    this.admin ??= quickAdmin('gamepipe-console');
    this.connected = await this.admin.connect().then(
      () => true,
      () => false,
    );
    return this.connected ? this.admin : undefined;
  }

  async close(): Promise<void> {
    await this.admin?.disconnect().catch(() => {});
  }
}
