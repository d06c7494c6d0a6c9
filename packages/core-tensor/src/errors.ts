/**
 * Every error the project throws on purpose is a RetrievalsError, so callers can tell a
 * reported problem (bad file, bad config, unknown name) from a bug.
 */
export class RetrievalsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class RegistryError extends RetrievalsError {}
export class PluginError extends RetrievalsError {}
export class ShapeError extends RetrievalsError {}
export class DTypeError extends RetrievalsError {}
export class SafetensorsError extends RetrievalsError {}
export class NotImplementedError extends RetrievalsError {
  constructor(what: string) {
    super(`not implemented: ${what}`);
  }
}
