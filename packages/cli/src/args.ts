import { RetrievalsError } from '@retrievals/core-tensor';

export class UsageError extends RetrievalsError {}

export interface ParsedArgs {
  command: string | undefined;
  flags: Record<string, string | boolean>;
  positional: string[];
}

/** `--key value`, `--key=value` and bare `--flag`; flag names keep open-retrievals' snake_case. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const flags: Record<string, string | boolean> = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const key = arg.slice(2, eq < 0 ? undefined : eq);
    if (!key) throw new UsageError(`bad flag '${arg}'`);
    if (eq >= 0) flags[key] = arg.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) flags[key] = argv[++i]!;
    else flags[key] = true;
  }
  return { command: positional.shift(), flags, positional };
}
