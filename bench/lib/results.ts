import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** bench/results, whether this runs compiled (bench/dist/lib) or from source (bench/lib). */
export const RESULTS_DIR = resolve(here, here.split(sep).includes('dist') ? '../..' : '..', 'results');

/** What the numbers were measured on: printed with every table and stored with every result. */
export interface Environment {
  readonly date: string;
  readonly node: string;
  readonly cpuModel: string;
  readonly cpus: number;
  readonly memoryGiB: number;
  /** 1-, 5- and 15-minute load averages when the benchmark started. */
  readonly loadAtStart: readonly number[];
  readonly commit: string;
}

export async function describeEnvironment(): Promise<Environment> {
  const info = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  const model = /^model name\s*:\s*(.+)$/m.exec(info)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // not a git checkout
  }
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpuModel: model.trim(),
    cpus: cpus().length,
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    loadAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
    commit,
  };
}

export function environmentLine(env: Environment): string {
  return `${env.date}  ${env.cpus} × ${env.cpuModel}, ${env.memoryGiB} GiB, node ${env.node}, commit ${env.commit}, load ${env.loadAtStart.join(' ')}`;
}

/** Writes `<dir>/<name>[-<tag>].json` and returns its path. */
export async function writeResults(name: string, payload: unknown, options: { dir?: string; tag?: string } = {}): Promise<string> {
  const dir = options.dir ?? RESULTS_DIR;
  await mkdir(dir, { recursive: true });
  const file = join(dir, options.tag === undefined || options.tag === '' ? `${name}.json` : `${name}-${options.tag}.json`);
  await writeFile(file, `${JSON.stringify(payload, null, 2)}\n`);
  return file;
}
