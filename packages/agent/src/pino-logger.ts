import { pino, type Logger as Pino } from 'pino';
import type { LogFields, Logger } from '@fleet/core';

/** The core Logger port on pino: JSON lines to stderr (fd 2), one logger per component via child(). */
export function createPinoLogger(verbosity: number, destination: number = 2): Logger {
  const root = pino({ level: verbosity > 0 ? 'debug' : 'info', base: { pid: process.pid } }, pino.destination({ fd: destination, sync: true }));
  return wrap(root);
}

function wrap(p: Pino): Logger {
  const at = (level: 'debug' | 'info' | 'warn' | 'error') => (msg: string, fields?: LogFields) => {
    if (fields === undefined) p[level](msg);
    else p[level](fields, msg);
  };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (fields) => wrap(p.child(fields)),
  };
}
