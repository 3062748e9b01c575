// A processing thread: it runs a RecordProcessor on the messages of the main thread, in order.
import { parentPort } from 'node:worker_threads';
import { RecordProcessor } from './record-processor.js';
import { decodeRecords } from '../../kafka/record-batches.js';
import type { FromProcessing, ToProcessing } from './worker-protocol.js';

const port = parentPort!;
const processor = new RecordProcessor();

function reply(message: FromProcessing, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

port.on('message', (message: ToProcessing) => {
  try {
    switch (message.type) {
      case 'add-job':
        return processor.addJob(message.job, message.spec, message.filterTree);
      case 'remove-job':
        return processor.removeJob(message.job);
      case 'open':
        return processor.open(message.job, message.partition, message.from, message.next);
      case 'jump':
        return processor.jump(message.job, message.partition, message.next);
      case 'close':
        return processor.close(message.job, message.partition);
      case 'records': {
        const records = decodeRecords(new Uint8Array(message.recordBatches, 0, message.length), message.from, message.aborted);
        const processed = processor.process(message.id, message.topic, message.partition, message.jobs, records);
        // Nothing refers to the records any more (rows hold copies): the buffer goes back for reuse.
        return reply({ ...processed, recordBatches: message.recordBatches }, [message.recordBatches]);
      }
      case 'seal': {
        const sealed = processor.seal(message.id, message.job, message.partition);
        const buffers = sealed.groups.map(([, ipc]) => ipc.buffer as ArrayBuffer);
        if (sealed.rejected) buffers.push(sealed.rejected.buffer as ArrayBuffer);
        return reply(sealed, buffers);
      }
    }
  } catch (err) {
    // A message without an id has no one waiting on it: -1 makes the main thread fail every job of this thread.
    reply({ type: 'error', id: 'id' in message ? message.id : -1, message: err instanceof Error ? err.message : String(err) });
  }
});
