import { RetrievalsError } from '@retrievals/core-tensor';
import type { CommandDef, Out } from './command.js';
import { COMMANDS } from './commands/index.js';
import { readConfigFile } from './config.js';
import { Options } from './options.js';
import { installConfigPlugins } from './plugins.js';
import { parseCommandLine } from './program.js';

/**
 * Runs one CLI invocation; returns the process exit code (docs/errors.md): 0 done, 1 no command
 * given, 2 any reported problem (a RetrievalsError: usage, model, data, output), its message on
 * stderr prefixed `retrievals: `. Anything else that escapes is a bug and is thrown.
 */
export async function main(argv: readonly string[], out: Out = console.log, commands: readonly CommandDef[] = COMMANDS): Promise<number> {
  try {
    const parsed = await parseCommandLine(argv, commands, out);
    if (parsed.kind === 'exit') return parsed.code;
    const { def, cli, positional, usage } = parsed;
    const configFile = cli.get('config') as string | undefined;
    const config = configFile ? await readConfigFile(configFile, def.flags, def.name) : undefined;
    if (config?.plugins.length) await installConfigPlugins(config.plugins, config.file);
    const specs = new Map(def.flags.map((f) => [f.name, f]));
    await def.run(new Options(def.name, usage, specs, cli, config?.values ?? new Map(), configFile), { out, positional });
    return 0;
  } catch (e) {
    if (e instanceof RetrievalsError) {
      console.error(`retrievals: ${e.message}`);
      return 2;
    }
    throw e;
  }
}
