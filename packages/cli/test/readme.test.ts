import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/index.js';
import { run } from './helpers.js';

const README = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');

describe('README.md', () => {
  it("holds every command's --help exactly as the command prints it", async () => {
    for (const def of COMMANDS) {
      const { text } = await run(def.name, '--help');
      expect(README, `README's retrievals ${def.name} block is stale: paste \`retrievals ${def.name} --help\``).toContain(`### retrievals ${def.name}\n\n\`\`\`text\n${text}\n\`\`\`\n`);
    }
  });
});
