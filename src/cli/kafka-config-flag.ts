import { resolve } from 'node:path';
import { UserError } from '../user-error.js';

export const KAFKA_CONFIG_FLAG = '--kafka-config';

/**
 * Takes the global `--kafka-config FILE` (or `--kafka-config=FILE`) out of a command's arguments,
 * wherever it stands, and points KAFKA_CONFIG_FILE at the file's absolute path: the settings loader
 * reads it there, and threads and child processes inherit it. Returns the other arguments.
 */
export function takeKafkaConfigFlag(args: string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      rest.push(...args.slice(i));
      break;
    }
    let file: string | undefined;
    if (arg === KAFKA_CONFIG_FLAG) {
      file = args[++i];
      if (file === undefined || file.startsWith('--')) throw new UserError(`${KAFKA_CONFIG_FLAG} needs a file: ${KAFKA_CONFIG_FLAG} FILE`, 2);
    } else if (arg.startsWith(`${KAFKA_CONFIG_FLAG}=`)) {
      file = arg.slice(KAFKA_CONFIG_FLAG.length + 1);
    } else {
      rest.push(arg);
      continue;
    }
    if (!file.trim()) throw new UserError(`${KAFKA_CONFIG_FLAG} needs a file: ${KAFKA_CONFIG_FLAG} FILE`, 2);
    env.KAFKA_CONFIG_FILE = resolve(file);
  }
  return rest;
}
