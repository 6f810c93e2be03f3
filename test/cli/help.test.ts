import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { FLEET_VERSION } from '@fleet/core';
import { runCli } from './support/run-cli.js';

const run = (...args: string[]) => runCli(args);

describe('fleetctl help, version, completion and usage errors (no etcd needed)', () => {
  it('prints the root help for no arguments, --help, -h and help, with the version', async () => {
    const root = await run();
    expect(root.code).toBe(0);
    expect(root.stderr).toBe('');
    expect(root.stdout).toMatch(/^NAME:\n\tfleetctl - /);
    expect(root.stdout).toContain(`VERSION:\n\t${FLEET_VERSION}\n`);
    for (const name of ['submit', 'load', 'start', 'stop', 'unload', 'destroy', 'restart', 'cat', 'status', 'journal', 'list-units', 'list-unit-files', 'list-machines', 'version', 'completion', 'help']) {
      expect(root.stdout).toMatch(new RegExp(`\\n\\t${name}\\t+\\S`));
    }
    expect(root.stdout).toContain('\t--endpoint="http://127.0.0.1:2379"\t');
    for (const args of [['--help'], ['-h'], ['help']]) expect(await run(...args)).toEqual(root);
  });

  it("prints a command's help with its description, examples and flags", async () => {
    const help = await run('help', 'start');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^NAME:\n\tfleetctl start - /);
    expect(help.stdout).toContain('USAGE:\n\tfleetctl start [command options] UNIT...\n');
    expect(help.stdout).toContain('EXAMPLES:\n\tfleetctl start hello.service\t');
    expect(help.stdout).toMatch(/\n\t--block-attempts=0\t+Wait until/);
    expect(help.stdout).toMatch(/\n\t--no-block=false\t+Do not wait/);
    expect(help.stdout).toContain('GLOBAL OPTIONS:\n');
    expect(await run('start', '--help')).toEqual(help);
    expect(await run('start', '-h', 'x.service')).toEqual(help);
    expect((await run('list-units', '--help')).stdout).toMatch(/\n\t-l, --full=false\t/);
    expect((await run('journal', '-h')).stdout).toMatch(/\n\t-n, --lines=10\t/);
  });

  it('refuses help for an unknown command', async () => {
    expect(await run('help', 'bogus')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error: unknown command "bogus" for "fleetctl". Run \'fleetctl help\' for usage.\n',
    });
  });

  it('prints the version for version, --version and -v', async () => {
    const expected = { code: 0, stdout: `fleetctl version ${FLEET_VERSION}\n`, stderr: '' };
    expect(await run('version')).toEqual(expected);
    expect(await run('--version')).toEqual(expected);
    expect(await run('-v')).toEqual(expected);
  });

  it('accepts a unique prefix of a command name', async () => {
    expect((await run('vers')).stdout).toBe(`fleetctl version ${FLEET_VERSION}\n`);
    expect((await run('list-m', '--help')).stdout).toMatch(/^NAME:\n\tfleetctl list-machines - /);
  });

  it('reports unknown commands and flags in one line, exit 1', async () => {
    expect(await run('frobnicate')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error: unknown command "frobnicate" for "fleetctl". Run \'fleetctl help\' for usage.\n',
    });
    // `list` is a prefix of three commands: not unique.
    expect((await run('list')).stderr).toBe('Error: unknown command "list" for "fleetctl". Run \'fleetctl help\' for usage.\n');
    expect(await run('list-units', '--bogus')).toEqual({
      code: 1,
      stdout: '',
      stderr: "Error: Unknown argument: bogus. Run 'fleetctl help list-units' for usage.\n",
    });
    expect(await run('list-units', 'extra')).toEqual({
      code: 1,
      stdout: '',
      stderr: "Error: Unknown argument: extra. Run 'fleetctl help list-units' for usage.\n",
    });
  });

  it('validates global flags and their FLEETCTL_* forms before connecting', async () => {
    expect(await run('--request-timeout=0', 'list-units')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error: invalid --request-timeout "0": expected a positive number of seconds\n',
    });
    expect(await runCli(['list-units'], { env: { FLEETCTL_REQUEST_TIMEOUT: 'soon' } })).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error: invalid --request-timeout "soon": expected a positive number of seconds\n',
    });
    expect(await run('--endpoint', 'ftp://x:1', 'list-units')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error: invalid etcd endpoint "ftp://x:1": expected http://host:port or https://host:port\n',
    });
    expect(await runCli(['list-units'], { env: { FLEETCTL_DEBUG: 'maybe' } })).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error: invalid value "maybe" for FLEETCTL_DEBUG: expected true or false\n',
    });
    expect(await run('--cert-file=/x.pem', '--key-file=/y.pem', 'list-units')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error: --cert-file and --key-file need --ca-file\n',
    });
    expect(await run('--ca-file=/nonexistent/ca.pem', 'list-units')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error: cannot read --ca-file /nonexistent/ca.pem: no such file\n',
    });
  });

  describe('completion', () => {
    it('prints bash and zsh scripts', async () => {
      const bash = await run('completion', 'bash');
      expect(bash.code).toBe(0);
      expect(bash.stdout).toContain('complete -o default -F _fleetctl fleetctl\n');
      const zsh = await run('completion', 'zsh');
      expect(zsh.stdout).toMatch(/^#compdef fleetctl\n/);
      expect(zsh.stdout).toContain('bashcompinit');
      expect(await run('completion', 'fish')).toEqual({ code: 1, stdout: '', stderr: 'Error: name one shell: bash or zsh\n' });
    });

    it('completes commands and flags in a real bash', async () => {
      const script = (await run('completion', 'bash')).stdout;
      const complete = async (words: string[]): Promise<string> => {
        const program = `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _fleetctl; echo "\${COMPREPLY[*]}"`;
        const { stdout } = await promisify(execFile)('bash', ['-c', program]);
        return stdout.trim();
      };
      expect(await complete(['fleetctl', 'st'])).toBe('start status stop');
      expect(await complete(['fleetctl', 'start', '--no'])).toBe('--no-block');
      expect(await complete(['fleetctl', '--endpoint', 'http://x:1', 'list-units', '--f'])).toBe('--fields --full');
      expect(await complete(['fleetctl', 'completion', ''])).toBe('bash zsh');
    });
  });
});
