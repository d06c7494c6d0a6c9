import type { FlagSpec } from './flag-spec.js';
import type { Options } from './options.js';

export type Out = (line: string) => void;

/** One `retrievals` command: its flags (a table, so --help, config keys and parsing come from one place) and what it does. */
export interface CommandDef {
  name: string;
  aliases?: readonly string[];
  summary: string;
  /** Positional arguments as commander writes them (`[texts...]`); none if absent. */
  args?: string;
  flags: readonly FlagSpec[];
  /** Text after the flags in --help (examples). */
  epilog?: string;
  run(options: Options, context: { out: Out; positional: string[] }): Promise<void>;
}

/** `--config`, which every command takes. */
export const CONFIG_FLAG: FlagSpec = {
  name: 'config',
  type: 'string',
  metavar: 'file',
  help: 'JSON or YAML file of flag values by flag name (plus "plugins": packages to load first); flags given here override it',
};
