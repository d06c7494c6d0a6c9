import type { Backend } from '@retrievals/core-tensor';

/**
 * core-tensor's Program as a backend receives it. Derived from the public Backend contract, so
 * this plugin needs nothing from '@retrievals/core-tensor/internal'.
 */
export type Program = Parameters<Backend['run']>[0];
export type ProgramNode = Program['nodes'][number];
export type ValueInfo = Program['feeds'][number];
export type Feeds = Parameters<Backend['run']>[1];
