import { RetrievalsError } from '@retrievals/core-tensor';

/** A model folder could not be used: every loading problem is one of these subclasses. */
export class ModelLoadError extends RetrievalsError {}

/** The folder or a file it needs is missing (or the path is a hub id, which is not downloaded). */
export class ModelNotFoundError extends ModelLoadError {}

/** config.json (or another JSON file) is unreadable or a field has the wrong type or value. */
export class ConfigError extends ModelLoadError {}

/** A weight is missing, unexpected, or has the wrong shape; the message names the tensor and file. */
export class WeightsError extends ModelLoadError {}

/** tokenizer.json / tokenizer_config.json could not be used. */
export class TokenizerError extends ModelLoadError {}

/** An ONNX export could not be used (missing inputs or outputs, wrong ranks). */
export class OnnxModelError extends ModelLoadError {}

/** A LoRA problem in the caller's request (bad options, nothing to wrap, no adapter applied). */
export class LoraError extends RetrievalsError {}
