import { Registry } from '@retrievals/core-tensor';
/** Parses one record of a dataset file into a typed example. */
export type ExampleFormat = (record: Record<string, unknown>, where: { file: string; line: number }) => unknown;

/** The example format registry: built-ins and plugins register here and are looked up by name. */
export const formats = new Registry<ExampleFormat>('example format');

declare module '@retrievals/core-tensor' {
  interface Registries {
    formats: Registry<ExampleFormat>;
  }
}
