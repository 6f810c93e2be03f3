/** What a completion script needs to know about one command. */
export interface CompletionCommand {
  readonly name: string;
  readonly flags: readonly string[];
  /** What its operands are: local unit files, registered units, command names, shells, nothing. */
  readonly operands: 'files' | 'units' | 'commands' | 'shells' | 'none';
}

export const SHELLS = ['bash', 'zsh'] as const;
export type Shell = (typeof SHELLS)[number];

/**
 * A completion script for `shell`: commands, flags, local unit files for submit/load/start, and the
 * registered units (asked of `fleetctl list-unit-files`) for the others. zsh runs the bash function
 * through bashcompinit.
 */
export function completionScript(
  shell: Shell,
  commands: readonly CompletionCommand[],
  globalFlags: readonly string[],
  valuedGlobalFlags: readonly string[],
): string {
  const bash = bashScript(commands, globalFlags, valuedGlobalFlags);
  if (shell === 'bash') {
    return `# bash completion for fleetctl. Load it with:\n#   source <(fleetctl completion bash)\n${bash}`;
  }
  return `#compdef fleetctl\n# zsh completion for fleetctl. Load it with:\n#   source <(fleetctl completion zsh)\nautoload -U +X bashcompinit && bashcompinit\n${bash}`;
}

function bashScript(commands: readonly CompletionCommand[], globalFlags: readonly string[], valued: readonly string[]): string {
  const names = commands.map((c) => c.name).join(' ');
  const flagCases = commands
    .filter((c) => c.flags.length > 0)
    .map((c) => `    ${c.name}) flags="${c.flags.join(' ')}" ;;`)
    .join('\n');
  const byOperands = (kind: CompletionCommand['operands']): string =>
    commands
      .filter((c) => c.operands === kind)
      .map((c) => c.name)
      .join('|');
  const operandCases = [
    ['files', 'COMPREPLY=($(compgen -f -- "$cur"))'],
    ['units', 'COMPREPLY=($(compgen -W "$(fleetctl list-unit-files --no-legend --fields unit 2>/dev/null)" -- "$cur"))'],
    ['commands', 'COMPREPLY=($(compgen -W "$commands" -- "$cur"))'],
    ['shells', 'COMPREPLY=($(compgen -W "bash zsh" -- "$cur"))'],
  ]
    .filter(([kind]) => byOperands(kind as CompletionCommand['operands']) !== '')
    .map(([kind, reply]) => `    ${byOperands(kind as CompletionCommand['operands'])}) ${reply} ;;`)
    .join('\n');
  return `_fleetctl() {
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  local commands="${names}"
  local global_flags="${globalFlags.join(' ')}"
  local cmd="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      ${valued.join('|')}) ((i++)) ;;
      -*) ;;
      *) cmd="\${COMP_WORDS[i]}"; break ;;
    esac
  done
  if [[ -z "$cmd" ]]; then
    if [[ "$cur" == -* ]]; then
      COMPREPLY=($(compgen -W "$global_flags --help --version" -- "$cur"))
    else
      COMPREPLY=($(compgen -W "$commands" -- "$cur"))
    fi
    return 0
  fi
  local flags=""
  case "$cmd" in
${flagCases}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$flags $global_flags --help" -- "$cur"))
    return 0
  fi
  case "$cmd" in
${operandCases}
  esac
  return 0
}
complete -o default -F _fleetctl fleetctl
`;
}
