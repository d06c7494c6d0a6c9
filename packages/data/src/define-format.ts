import { parseOptions, type OptionSpecs, type ParsedOptions } from '@retrievals/core-tensor';
import { DataError } from './jsonl.js';
import { RecordReader } from './record-reader.js';
import type { Example, ExampleField, ExampleFormat, FormatFactory } from './registry.js';

export interface FormatDefinition<E extends Example, S extends OptionSpecs> {
  /** The registry name, used in every error message. */
  name: string;
  /** The fields every parsed example has. */
  fields: readonly (keyof E & ExampleField)[];
  /** Its options (usually which record key holds each field), with defaults and checks. */
  options?: S;
  /** Builds the example from one record; `read` fails with file, line and field. */
  parse: (read: RecordReader, options: ParsedOptions<S>) => E;
}

/**
 * Makes what the formats registry holds, a factory from options to an ExampleFormat, adding what
 * every format needs: options checked by name and value, a record that is not an object refused
 * with its location, and typed field reads (RecordReader). Built-ins and plugins both use it.
 */
export function defineFormat<E extends Example, S extends OptionSpecs = Record<never, never>>(def: FormatDefinition<E, S>): FormatFactory {
  return (given) => {
    const options = parseOptions({ kind: 'example format', name: def.name }, given, def.options ?? ({} as S));
    const format: ExampleFormat<E> = {
      name: def.name,
      fields: [...def.fields],
      parse(record, where) {
        if (typeof record !== 'object' || record === null || Array.isArray(record)) {
          throw new DataError(`${where.file}:${where.line}: expected an object record (format '${def.name}'), got ${Array.isArray(record) ? 'an array' : typeof record}`);
        }
        return def.parse(new RecordReader(def.name, record, where), options);
      },
    };
    return format as unknown as ExampleFormat;
  };
}
