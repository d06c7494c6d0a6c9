import { add, cast, cumsum, maskAsFloat, mul, type Tensor, tokenMask } from '@retrievals/core-tensor';
import type { ConfigReader } from '../config.js';
import { defineArchitecture } from '../define-architecture.js';
import type { InputName } from '../registry.js';
import { BERT_LORA, BertModel, ENCODER_IGNORE, parseBertConfig, type BertConfig } from './bert.js';

/**
 * RoBERTa / XLM-RoBERTa: BERT's encoder with position ids that start after the padding index and
 * skip padding (transformers' create_position_ids_from_input_ids): a token at text position i
 * (0-based) gets padding_idx + 1 + i, every pad gets padding_idx. That is why their position tables
 * are max_position_embeddings = usable length + padding_idx + 1.
 */
export class RobertaModel extends BertModel {
  override readonly inputNames: readonly InputName[] = ['input_ids', 'attention_mask'];

  constructor(config: BertConfig, readonly paddingIdx: number) {
    super(config);
  }

  override get maxPositions(): number {
    return this.config.maxPositionEmbeddings - this.paddingIdx - 1;
  }

  protected override positionIds(inputIds: Tensor): Tensor {
    // Taken from the ids, not the attention mask, exactly as transformers does.
    const tokens = maskAsFloat(tokenMask(inputIds, this.paddingIdx));
    return cast(add(mul(cumsum(tokens, 1), tokens), this.paddingIdx), 'int64');
  }
}

function parseRobertaConfig(c: ConfigReader): { cfg: BertConfig; paddingIdx: number } {
  const cfg = parseBertConfig(c);
  const paddingIdx = c.int('pad_token_id', 1, 0);
  if (cfg.maxPositionEmbeddings <= paddingIdx + 1) {
    c.unsupported('max_position_embeddings', `RoBERTa positions start at pad_token_id + 1 = ${paddingIdx + 1}, so the table needs more rows`);
  }
  return { cfg, paddingIdx };
}

/** Registered under `roberta`, with `xlm-roberta` and `camembert` (the same module) as aliases. */
export const robertaArchitecture = defineArchitecture({
  name: 'roberta',
  build: (c) => {
    const { cfg, paddingIdx } = parseRobertaConfig(c);
    return new RobertaModel(cfg, paddingIdx);
  },
  layout: { prefixes: ['roberta.'], ignore: ENCODER_IGNORE, optionalModules: ['pooler'] },
  defaultPooling: 'cls',
  lora: BERT_LORA,
});
