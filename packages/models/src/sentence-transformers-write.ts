import { instructionAsPrompt } from './instructions.js';
import { POOLING_FLAGS, poolingFlagOf, RETRIEVALS_KEY } from './sentence-transformers.js';

/** What the sentence-transformers files of a saved folder describe. */
export interface SentenceTransformersSettings {
  poolingMethod: string;
  normalize: boolean;
  maxLength: number;
  /** The pooled dimension (the hidden size). */
  dimension: number;
  queryInstruction?: string;
  documentInstruction?: string;
  doLowerCase?: boolean;
  addEos?: boolean;
  /** The ONNX file to use, when it is not the one fromPretrained would find first. */
  onnxFile?: string;
  /** config.json's transformers_version, reported in `__version__` as sentence-transformers does. */
  transformersVersion?: string;
}

/**
 * The oldest sentence-transformers that reads everything written here (`similarity_fn_name` is 3.0's);
 * it compares this with its own version only to warn when a folder is newer than itself.
 */
export const SENTENCE_TRANSFORMERS_FORMAT = '3.0.0';

/**
 * The JSON files sentence-transformers (v3 to v5) writes for a Transformer → Pooling [→ Normalize]
 * model, by path inside the folder, with the same fields and values, so Python loads the folder as
 * it would one it saved. What sentence-transformers cannot express goes under our `retrievals` key
 * of config_sentence_transformers.json (it keeps unknown keys and ignores them): a template whose
 * `{}` is not at the end (the prompt is then left empty), a pooler it has no flag for (all flags
 * false, so Python fails loudly rather than pooling differently), a pooler alias, `add_eos`, and the
 * ONNX file. `2_Normalize` is an empty folder, as Normalize saves nothing.
 */
export function sentenceTransformersFiles(s: SentenceTransformersSettings): { files: Map<string, unknown>; folders: string[] } {
  const modules: Record<string, unknown>[] = [
    { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
    { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
  ];
  if (s.normalize) modules.push({ idx: 2, name: '2', path: '2_Normalize', type: 'sentence_transformers.models.Normalize' });

  const flag = poolingFlagOf(s.poolingMethod);
  const pooling: Record<string, unknown> = { word_embedding_dimension: s.dimension };
  for (const key of CONFIG_ORDER) pooling[key] = key === flag;
  pooling.include_prompt = true;

  const ours: Record<string, unknown> = {};
  if (flag === undefined || POOLING_FLAGS[flag] !== s.poolingMethod) ours.pooling_method = s.poolingMethod;
  const prompts: Record<string, string> = {};
  for (const [name, key, template] of [
    ['query', 'query_instruction', s.queryInstruction],
    ['document', 'document_instruction', s.documentInstruction],
  ] as const) {
    const prompt = instructionAsPrompt(template);
    prompts[name] = prompt ?? '';
    if (template && template !== prompt) ours[key] = template;
  }
  if (s.addEos) ours.add_eos = true;
  if (s.onnxFile) ours.onnx_file = s.onnxFile;

  const version: Record<string, string> = { sentence_transformers: SENTENCE_TRANSFORMERS_FORMAT };
  if (s.transformersVersion) version.transformers = s.transformersVersion;
  const model: Record<string, unknown> = {
    model_type: 'SentenceTransformer',
    __version__: version,
    prompts,
    default_prompt_name: null,
    similarity_fn_name: 'cosine',
  };
  if (Object.keys(ours).length) model[RETRIEVALS_KEY] = ours;

  const files = new Map<string, unknown>([
    ['modules.json', modules],
    ['sentence_bert_config.json', { max_seq_length: s.maxLength, do_lower_case: s.doLowerCase ?? false }],
    ['1_Pooling/config.json', pooling],
    ['config_sentence_transformers.json', model],
  ]);
  return { files, folders: s.normalize ? ['1_Pooling', '2_Normalize'] : ['1_Pooling'] };
}

/** Pooling's config_keys order. */
const CONFIG_ORDER = [
  'pooling_mode_cls_token',
  'pooling_mode_mean_tokens',
  'pooling_mode_max_tokens',
  'pooling_mode_mean_sqrt_len_tokens',
  'pooling_mode_weightedmean_tokens',
  'pooling_mode_lasttoken',
];
