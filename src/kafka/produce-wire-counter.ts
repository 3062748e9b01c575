// Whether a failed send may have been written is decided by one fact: did a Produce request go to
// a socket? The client retries inside send(), and the error it finally throws (say "no leader")
// can hide an earlier attempt the broker appended before its connection dropped.
import { connectionsApiChannel, type ConnectionDiagnosticEvent } from '@platformatic/kafka';

// Kafka's api key of Produce.
const PRODUCE_API_KEY = 0;

/** The counters by the client instance whose requests they count. */
const counters = new Map<number, ProduceWireCounter>();
let listening = false;

// The library publishes this just before it writes a request to its connection's socket; a
// request refused then (the connection closed) still counts, which only errs towards "may have
// been written".
function onRequest(message: unknown): void {
  const event = message as ConnectionDiagnosticEvent<{ apiKey?: number; operation?: string }>;
  if (event.apiKey !== PRODUCE_API_KEY || event.operation !== 'send') return;
  const owner = event.connection.ownerId;
  if (owner !== undefined) counters.get(owner)?.count();
}

/** Counts the Produce requests one client (a producer) sends to the brokers. */
export class ProduceWireCounter {
  /** Produce requests handed to a socket so far; compare before and after a send. */
  produceRequests = 0;
  private owner: number | undefined;

  /** Counts `client`'s requests from now on, instead of any client's before. */
  watch(client: { instanceId: number }): void {
    this.forget();
    this.owner = client.instanceId;
    counters.set(this.owner, this);
    if (!listening) {
      listening = true;
      connectionsApiChannel.start.subscribe(onRequest);
    }
  }

  /** Stops counting (the client was closed). */
  forget(): void {
    if (this.owner !== undefined && counters.get(this.owner) === this) counters.delete(this.owner);
    this.owner = undefined;
  }

  count(): void {
    this.produceRequests++;
  }
}
