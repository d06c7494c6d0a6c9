import { CONFIG_FLAG, type CommandDef } from '../command.js';
import { formatInfo } from '../info.js';
import { builtinRegistries } from '../registries.js';

/** `retrievals list` (alias `info`): every registered component with the package or plugin it came from, after the config's plugins. */
export const list: CommandDef = {
  name: 'list',
  aliases: ['info'],
  summary: 'list every registered component (backends, architectures, runtimes, poolers, losses, formats, schedulers, optimizers, indexes) and where it came from',
  flags: [{ name: 'fixtures', type: 'string', metavar: 'dir', help: 'also list the model folders in this folder' }, CONFIG_FLAG],
  async run(o, { out }) {
    out(formatInfo(builtinRegistries(), o.string('fixtures')));
  },
};
