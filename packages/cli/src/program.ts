import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { CommandDef, Out } from './command.js';
import { UsageError } from './errors.js';
import { describeDefault, parseFlagText, type FlagSpec } from './flag-spec.js';

export type Parsed =
  | { kind: 'run'; def: CommandDef; cli: Map<string, unknown>; positional: string[]; usage: string }
  | { kind: 'exit'; code: number };

/** Help text is wrapped at this width everywhere (a terminal's width would make the README's copy differ by machine). */
export const HELP_WIDTH = 100;

function flagOption(f: FlagSpec): Option {
  const metavar = f.metavar ?? (f.choices ? f.choices.join('|') : f.type === 'component' ? 'name' : f.type === 'range' ? 'lo-hi' : f.type);
  const value = f.type === 'bool' ? '[bool]' : `<${metavar}>`;
  const extras = [ describeDefault(f) !== undefined ? `default: ${describeDefault(f)}` : undefined].filter(Boolean);
  const option = new Option(`--${f.name} ${value}`, extras.length ? `${f.help} (${extras.join('; ')})` : f.help);
  option.argParser((text: string) => {
    const r = parseFlagText(f, text);
    if ('expected' in r) throw new InvalidArgumentError(`expected ${r.expected}`);
    return r.value;
  });
  return option;
}

/** The commander program of every command: per-command --help, usage errors, and `retrievals help <command>`. */
export function buildProgram(defs: readonly CommandDef[], out: Out, err: (text: string) => void, chosen: (p: Parsed & { kind: 'run' }) => void): Command {
  const program = new Command('retrievals')
    .description("open-retrievals' pipelines on Node.js: train, mine hard negatives, encode, evaluate, export")
    .usage('<command> [flags]')
    .exitOverride()
    .configureHelp({ helpWidth: HELP_WIDTH })
    .configureOutput({ writeOut: (s) => out(s.replace(/\n$/, '')), writeErr: (s) => err(s.replace(/\n$/, '')), outputError: () => {} });
  for (const def of defs) {
    const cmd = program.command(def.name).description(def.summary).helpOption('-h, --help', 'show the flags of this command');
    for (const alias of def.aliases ?? []) cmd.alias(alias);
    if (def.args) cmd.argument(def.args);
    for (const f of def.flags) cmd.addOption(flagOption(f));
    if (def.epilog) cmd.addHelpText('after', `\n${def.epilog}`);
    cmd.action((...args: unknown[]) => {
      const command = args[args.length - 1] as Command;
      const values = command.opts() as Record<string, unknown>;
      const cli = new Map(Object.entries(values).filter(([, v]) => v !== undefined));
      const positional = def.args ? ((args[0] as string[] | string | undefined) ?? []) : [];
      chosen({ kind: 'run', def, cli, positional: Array.isArray(positional) ? positional : [positional], usage: usageLine(command) });
    });
  }
  return program;
}

export const usageLine = (cmd: Command): string => `usage: retrievals ${cmd.name()} ${cmd.usage()}`;

/**
 * Parses argv into the command to run and its command-line values. --help answers with exit 0, no
 * command with the usage and exit 1 (docs/errors.md); any other commander error becomes a
 * UsageError carrying the command's usage line.
 */
export async function parseCommandLine(argv: readonly string[], defs: readonly CommandDef[], out: Out): Promise<Parsed> {
  let result: Parsed | undefined;
  const errText: string[] = [];
  const program = buildProgram(defs, out, (s) => errText.push(s), (p) => (result = p));
  // commander answers `help <unknown>` with the general help and exit 1, which docs/errors.md keeps for "no command".
  const asked = argv[0] === 'help' ? argv[1] : undefined;
  if (asked !== undefined && !asked.startsWith('-') && !program.commands.some((c) => c.name() === asked || c.aliases().includes(asked))) {
    throw new UsageError(`unknown command '${asked}'\nusage: retrievals ${program.usage()} (retrievals --help lists the commands)`);
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version') {
      if (errText.length) console.error(errText.join('\n'));
      return { kind: 'exit', code: e.exitCode };
    }
    const sub = program.commands.find((c) => c.name() === argv[0] || c.aliases().includes(argv[0] ?? ''));
    const message = e.message.replace(/^error: /, '');
    throw new UsageError(sub ? `${sub.name()}: ${message}\n${usageLine(sub)}\n(retrievals ${sub.name()} --help lists the flags)` : `${message}\nusage: retrievals ${program.usage()} (retrievals --help lists the commands)`);
  }
  if (!result) {
    // Commander returns without an action when the program itself was called with nothing to do.
    out(program.helpInformation().replace(/\n$/, ''));
    return { kind: 'exit', code: 1 };
  }
  return result;
}
