import type { CommandDef } from '../command.js';
import { buildHn } from './build-hn.js';
import { embed } from './embed.js';
import { encode } from './encode.js';
import { evaluate } from './eval.js';
import { exportCommand } from './export.js';
import { list } from './list.js';
import { quickstart } from './quickstart.js';

/** Every command, in the order --help lists them. */
export const COMMANDS: readonly CommandDef[] = [embed, buildHn, encode, evaluate, exportCommand, list, quickstart];
