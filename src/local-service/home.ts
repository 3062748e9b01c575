import { resolve } from 'node:path';

/** Where gamepipe keeps its local state (broker jars, MinIO, venv, pid files): GAMEPIPE_HOME or ./.gamepipe. */
export function gamepipeHome(): string {
  return resolve(process.env.GAMEPIPE_HOME ?? '.gamepipe');
}
