import { checks, opt, type OptionSpec } from '@retrievals/core-tensor';

/**
 * A record-key option. Unset, a field is read from the names open-retrievals and FlagEmbedding
 * write (`positive` or `pos`, `negative` or `neg`); set, exactly that key.
 */
export type KeyOption = OptionSpec<string | undefined>;

export const key = (): KeyOption => opt<string | undefined>(undefined, checks.nonEmptyString);

export const QUERY = ['query'] as const;
export const POSITIVE = ['positive', 'pos'] as const;
export const NEGATIVE = ['negative', 'neg'] as const;
