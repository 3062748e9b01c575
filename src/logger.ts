import pino from 'pino';

/** The runtime's structured log: one JSON object per line on stdout. */
export const log = pino({ base: undefined, timestamp: pino.stdTimeFunctions.isoTime, level: process.env.GAMEPIPE_LOG_LEVEL ?? 'info' });

export type Logger = pino.Logger;
