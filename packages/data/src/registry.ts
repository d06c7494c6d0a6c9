import { Registry } from '@retrievals/core-tensor';

/** Where a record came from, for errors: the file and its 1-based line. */
export interface RecordLocation {
  file: string;
  line: number;
}

/**
 * The fields a typed example may hold. `query`, `positive`, `negative`, `labels` and `teacherScores`
 * are the losses' input names (LossField), so a trainer can check at config time that a format
 * feeds what its loss reads; the rest are texts and targets that a collator maps.
 */
export type ExampleField = 'text' | 'label' | 'query' | 'positive' | 'negative' | 'text1' | 'text2' | 'score' | 'docs' | 'labels' | 'teacherScores';

/** A parsed example: its fields' values (texts, lists of texts, numbers). */
export type Example = Partial<Record<ExampleField, string | number | readonly string[] | readonly number[]>>;

/**
 * One layout of training records (pair, triplet, ...): the fields each example has, and `parse`,
 * which turns one record into a typed example or throws a DataError naming file, line and field.
 */
export interface ExampleFormat<E extends Example = Example> {
  readonly name: string;
  /** The fields every example of this format has, in a stable order. */
  readonly fields: readonly (keyof E & ExampleField)[];
  parse(record: Record<string, unknown>, where: RecordLocation): E;
}

/** Makes a format from its options (which record keys hold which field); what the registry holds. */
export type FormatFactory = (options?: Record<string, unknown>) => ExampleFormat;

/** The example format registry: built-ins and plugins register here and are looked up by name. */
export const formats = new Registry<FormatFactory>('example format', { owner: '@retrievals/data' });

declare module '@retrievals/core-tensor' {
  interface Registries {
    formats: Registry<FormatFactory>;
  }
}
