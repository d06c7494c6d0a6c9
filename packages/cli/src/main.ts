import { NotImplementedError, RetrievalsError } from '@retrievals/core-tensor';
import { parseArgs, UsageError } from './args.js';
import { encodeCommand } from './commands/encode.js';
import { Flags } from './flags.js';
import { builtinRegistries, formatInfo } from './info.js';

const USAGE = `usage: retrievals <command> [--flags]
commands:
  info      list the registered components (and fixture models with --fixtures DIR)
  embed     fine-tune an embedding model
  build-hn  mine hard negatives
  encode    encode texts to embeddings (--model_name_or_path DIR [--input F] [--output F.npy|.jsonl])
  eval      evaluate retrieval
  export    export a model to safetensors / ONNX`;

const PLANNED = new Set(['embed', 'build-hn', 'eval', 'export']);

/** Runs one CLI invocation; returns the process exit code. */
export async function main(argv: readonly string[], out: (line: string) => void = console.log): Promise<number> {
  try {
    const args = parseArgs(argv);
    switch (args.command) {
      case 'info': {
        const fixtures = typeof args.flags.fixtures === 'string' ? args.flags.fixtures : undefined;
        out(formatInfo(builtinRegistries(), fixtures));
        return 0;
      }
      case 'encode':
        await encodeCommand(new Flags(args), args.positional, out);
        return 0;
      case undefined:
      case 'help':
        out(USAGE);
        return args.command === undefined ? 1 : 0;
      default:
        if (PLANNED.has(args.command)) throw new NotImplementedError(`the '${args.command}' command`);
        throw new UsageError(`unknown command '${args.command}'\n${USAGE}`);
    }
  } catch (e) {
    if (e instanceof RetrievalsError) {
      console.error(`retrievals: ${e.message}`);
      return 2;
    }
    throw e;
  }
}
