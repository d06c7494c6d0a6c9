import { RetrievalsError, Tensor } from '@retrievals/core-tensor';
import { LossInputError, NonFiniteError } from './errors.js';
import { guardLoss, scanFinite } from './finite.js';
import type { Loss, LossField, LossInputs } from './types.js';

export interface LossDefinition {
  /** The registry name, used in every error message. */
  name: string;
  /** Fields every call must give. */
  required: readonly LossField[];
  /** Fields a call may give (alternatives among them are checked by `compute`). */
  optional?: readonly LossField[];
  /** Tensors the loss owns and trains. */
  parameters?: () => Tensor[];
  /** The math, on inputs already checked for presence and, where they hold values, finiteness. */
  compute: (inputs: LossInputs) => Tensor;
}

/**
 * Makes a Loss from its math, adding what every loss needs: required/unknown field errors that
 * name the loss, an immediate NaN/Inf check of inputs that already hold values, finite guards for
 * lazy ones (see finite.ts), and a scalar result. Built-ins and plugins both use it.
 */
export function defineLoss(def: LossDefinition): Loss {
  const optional = def.optional ?? [];
  const allowed = new Set<string>([...def.required, ...optional]);
  const reads = [...def.required, ...optional].join(', ');
  const fn = (inputs: LossInputs): Tensor => {
    if (typeof inputs !== 'object' || inputs === null || inputs instanceof Tensor) {
      throw new LossInputError(`${def.name}: call it with an object of inputs ({ ${reads} }), got ${inputs instanceof Tensor ? 'a Tensor' : typeof inputs}`);
    }
    const given: [string, Tensor][] = [];
    for (const [field, value] of Object.entries(inputs)) {
      if (value === undefined) continue;
      if (!allowed.has(field)) throw new LossInputError(`${def.name}: does not use input '${field}'; it reads ${reads}`);
      if (value instanceof Tensor) {
        scanFinite(def.name, field, value);
        given.push([field, value]);
      } else if (typeof value === 'number' && field === 'margin') {
        // arcface's per-call margin is the one input that may be a plain number.
        if (!Number.isFinite(value)) throw new NonFiniteError(`${def.name}: input '${field}' is ${value}`);
      } else if (looksLikeTensor(value)) {
        throw new LossInputError(
          `${def.name}: input '${field}' is a Tensor from another copy of @retrievals/core-tensor; ` +
            'two copies are loaded (a plugin or test runner resolved its own): give the host and its plugins one copy',
        );
      } else {
        throw new LossInputError(`${def.name}: input '${field}' must be a core-tensor Tensor, got ${Array.isArray(value) ? 'an array' : typeof value}`);
      }
    }
    for (const field of def.required) {
      if ((inputs as Record<string, unknown>)[field] === undefined) throw new LossInputError(`${def.name}: input '${field}' is required; it reads ${reads}`);
    }
    const out = def.compute(inputs);
    if (!(out instanceof Tensor) || out.rank !== 0) {
      throw new RetrievalsError(`${def.name}: a loss must return a scalar Tensor, got ${out instanceof Tensor ? `shape [${out.shape.join(', ')}]` : typeof out}`);
    }
    guardLoss(def.name, given, out);
    return out;
  };
  Object.defineProperty(fn, 'name', { value: def.name });
  return Object.assign(fn, {
    fields: { required: [...def.required], optional: [...optional] },
    parameters: def.parameters ?? (() => []),
  }) as Loss;
}

const looksLikeTensor = (v: unknown) => typeof v === 'object' && v !== null && Array.isArray((v as Tensor).shape) && typeof (v as Tensor).dtype === 'string';
