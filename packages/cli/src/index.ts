export { main } from './main.js';
export type { CliIo, TextSink } from './cli-io.js';
