import { probeAdmin } from './client.js';

/** Resolves when a metadata request succeeds, or rejects with the last error after `timeoutMs`. */
export async function waitForMetadata(brokers: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    const admin = probeAdmin(brokers);
    try {
      await admin.connect();
      await admin.describeCluster();
      return;
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 250));
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

/** True when a broker answers a metadata request within `timeoutMs`. */
export async function brokerReachable(brokers: string[], timeoutMs = 1500): Promise<boolean> {
  return waitForMetadata(brokers, timeoutMs).then(
    () => true,
    () => false,
  );
}
