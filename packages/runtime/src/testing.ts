export { HollowRuntime } from './hollow-runtime.js';
