import { Argument, type Command } from 'commander';
import { DEFINITION_KINDS } from '@flint/contracts';
import type { CommandContext } from '../cli';

const SHELLS = ['bash', 'zsh'] as const;

/** `flint completion bash|zsh`: a completion script built from the commands this CLI has. */
export function registerCompletionCommands(program: Command, context: CommandContext): void {
  program
    .command('completion')
    .addArgument(new Argument('<shell>').choices(SHELLS))
    .description(
      'print a shell completion script; load it with: source <(npx flint completion bash)',
    )
    .action((shell: (typeof SHELLS)[number]) => {
      const script = bashCompletion(program);
      context.io.out(shell === 'zsh' ? zshWrapper(script) : script);
    });
}

interface CompletionEntry {
  /** The subcommand path after `flint`, e.g. `secret set`; empty for `flint` itself. */
  path: string;
  words: string[];
}

/**
 * Bash completion for every command path: its subcommands, options, and the values of its first
 * argument where they are known (definition kinds, shells); an option with fixed choices (`-o`)
 * completes those.
 */
export function bashCompletion(program: Command): string {
  const entries: CompletionEntry[] = [];
  const choices = new Map<string, string[]>();
  const visit = (command: Command, path: string[]): void => {
    const firstArgument = command.registeredArguments[0];
    const words = [
      ...command.commands.flatMap((c) => [c.name(), ...c.aliases()]),
      ...(firstArgument?.name() === 'kind' ? DEFINITION_KINDS : (firstArgument?.argChoices ?? [])),
      ...command.options.flatMap((o) => [o.long, o.short].filter((f): f is string => !!f)),
      ...(path.length === 0 ? ['--help', '--version'] : ['--help']),
    ];
    for (const option of command.options) {
      if (!option.argChoices) continue;
      for (const flag of [option.long, option.short])
        if (flag) choices.set(flag, option.argChoices);
    }
    entries.push({ path: path.join(' '), words: [...new Set(words)] });
    for (const child of command.commands) {
      for (const name of [child.name(), ...child.aliases()]) visit(child, [...path, name]);
    }
  };
  visit(program, []);
  const commandPaths = entries.filter((e) => e.path !== '').map((e) => `"${e.path}"`);
  return [
    '# flint completion for bash; load it with: source <(npx flint completion bash)',
    '# (it completes the command `flint`: install the package or alias flint="npx flint")',
    '_flint_completion() {',
    '  local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" path="" word i',
    '  for ((i = 1; i < COMP_CWORD; i++)); do',
    '    word="${COMP_WORDS[i]}"',
    '    case "${path:+$path }$word" in',
    `      ${commandPaths.join(' | ')}) path="\${path:+$path }$word" ;;`,
    '    esac',
    '  done',
    '  local words=""',
    '  case "$prev" in',
    ...[...choices].map(([flag, values]) => `    ${flag}) words="${values.join(' ')}" ;;`),
    '    *)',
    '      case "$path" in',
    ...entries.map((e) => `        "${e.path}") words="${e.words.join(' ')}" ;;`),
    '      esac',
    '      ;;',
    '  esac',
    '  COMPREPLY=($(compgen -W "$words" -- "$cur"))',
    '}',
    'complete -o default -F _flint_completion flint',
  ].join('\n');
}

/** zsh runs the bash script through its bash-completion emulation. */
function zshWrapper(bashScript: string): string {
  return [
    '# flint completion for zsh; load it with: source <(npx flint completion zsh)',
    'autoload -U +X compinit && compinit',
    'autoload -U +X bashcompinit && bashcompinit',
    bashScript,
  ].join('\n');
}
