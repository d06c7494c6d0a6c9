import { CONFIG_FLAG } from '../command.js';
import type { FlagSpec } from '../flag-spec.js';
import { BACKEND, DOCUMENT_INSTRUCTION, MODEL_NAME_OR_PATH, POOLING_METHOD, QUERY_INSTRUCTION } from './model-flags.js';
import { EVAL_FLAGS } from './eval-flags.js';

/**
 * `retrievals embed`'s flags: open-retrievals' `retrievals.pipelines.embed` (ModelArguments,
 * DataArguments, RetrieverTrainingArguments and the transformers TrainingArguments it uses), with
 * their defaults, except where this says otherwise.
 */
export const EMBED_FLAGS: readonly FlagSpec[] = [
  MODEL_NAME_OR_PATH,
  { name: 'output_dir', type: 'string', metavar: 'dir', help: 'where the log, checkpoints and the trained model (a Hugging Face folder, or a PEFT adapter with --use_lora) go' },
  { name: 'overwrite_output_dir', type: 'bool', default: false, help: 'replace a previous run in output_dir (its log and checkpoints)' },
  { name: 'do_train', type: 'bool', default: false, help: 'train (without it, only the --eval_data / --eval_sts evaluation runs)' },
  { name: 'data_name_or_path', type: 'string', metavar: 'path', help: 'training data: a .jsonl/.json/.csv/.tsv file or a folder of them (nothing is downloaded)' },
  { name: 'format', type: 'string', metavar: 'name', help: 'example format (pair, triplet, scored-pair, ...; default inferred from the first row, or pair/triplet when keys are given)' },
  { name: 'query_key', type: 'string', metavar: 'key', default: 'query', help: 'record key of the query' },
  { name: 'positive_key', type: 'string', metavar: 'key', default: 'positive', help: 'record key of the positive(s)' },
  { name: 'negative_key', type: 'string', metavar: 'key', default: 'negative', help: 'record key of the negative(s); rows without it train on in-batch negatives' },
  POOLING_METHOD,
  { name: 'loss_fn', type: 'component', default: 'infonce', help: 'loss name (infonce, simcse, triplet, cosent, ... or a plugin\'s); in a config file also { name, ...options }' },
  { name: 'temperature', type: 'number', min: 0, exclusive: true, default: 0.02, help: 'temperature of the loss, for losses that have one' },
  { name: 'use_inbatch_negative', type: 'bool', default: true, help: "the other queries' positives are negatives too (losses that have the option)" },
  { name: 'learning_rate', type: 'number', min: 0, exclusive: true, default: 5e-5, help: 'peak learning rate' },
  { name: 'num_train_epochs', type: 'number', min: 0, exclusive: true, default: 3, help: 'epochs (max_steps overrides)' },
  { name: 'max_steps', type: 'int', min: 1, help: 'optimizer steps in total; overrides num_train_epochs' },
  { name: 'per_device_train_batch_size', type: 'int', min: 1, default: 8, help: 'queries per micro-batch' },
  { name: 'gradient_accumulation_steps', type: 'int', min: 1, default: 1, help: 'micro-batches per optimizer step' },
  { name: 'dataloader_drop_last', type: 'bool', default: false, help: 'drop the last incomplete batch of each epoch' },
  { name: 'query_max_length', type: 'int', min: 1, default: 32, help: 'max tokens of a query' },
  { name: 'document_max_length', type: 'int', min: 1, default: 128, help: 'max tokens of a positive or negative' },
  { name: 'train_group_size', type: 'int', min: 1, default: 2, help: '1 positive + (n−1) negatives per query, drawn each batch (rows with negatives)' },
  { name: 'warmup_ratio', type: 'number', min: 0, default: 0, help: 'fraction of the steps spent warming up' },
  { name: 'warmup_steps', type: 'int', min: 0, default: 0, help: 'warm-up steps (instead of warmup_ratio)' },
  { name: 'weight_decay', type: 'number', min: 0, default: 0, help: 'AdamW weight decay' },
  // Names only (the trainer's args take a name, not { name, ...options }): plain string flags.
  { name: 'lr_scheduler_type', type: 'string', metavar: 'name', default: 'linear', help: 'scheduler name (linear, cosine, constant, or a plugin\'s)' },
  { name: 'optim', type: 'string', metavar: 'name', default: 'adamw', help: "optimizer name (adamw, sgd, or a plugin's)" },
  { name: 'max_grad_norm', type: 'number', min: 0, default: 1, help: 'clip the gradient norm to this; 0 = off' },
  { name: 'use_lora', type: 'bool', default: false, help: 'train LoRA adapters only; output_dir gets a PEFT adapter (and merged/ with --save_merged_model)' },
  { name: 'lora_rank', type: 'int', min: 1, default: 8, help: 'LoRA rank r' },
  { name: 'lora_alpha', type: 'number', min: 0, exclusive: true, default: 16, help: 'LoRA alpha (scale alpha/r)' },
  { name: 'lora_dropout', type: 'number', min: 0, default: 0, help: 'LoRA dropout' },
  { name: 'save_merged_model', type: 'bool', default: false, help: 'with --use_lora, also save base + adapter merged in output_dir/merged' },
  QUERY_INSTRUCTION,
  DOCUMENT_INSTRUCTION,
  { name: 'add_eos', type: 'bool', help: 'append EOS to every text (last-token pooling of decoders)' },
  { name: 'logging_steps', type: 'int', min: 1, default: 500, help: 'log the mean loss every n steps (and at the last step)' },
  { name: 'save_steps', type: 'int', min: 1, help: 'write a resumable checkpoint every n steps (default none)' },
  { name: 'save_total_limit', type: 'int', min: 1, help: 'keep only the newest n checkpoints' },
  { name: 'seed', type: 'int', min: 0, default: 42, help: 'seeds data order, group sampling, dropout and LoRA init' },
  { name: 'resume_from_checkpoint', type: 'string', metavar: 'true|dir', help: "continue a run: 'true' for output_dir's latest checkpoint, or a checkpoint folder" },
  { name: 'fp16', type: 'bool', default: false, help: 'accepted for open-retrievals scripts; training runs in fp32 on CPU (a notice says so)' },
  { name: 'bf16', type: 'bool', default: false, help: "bf16 compute on a backend that offers it (the 'onednn' plugin); otherwise fp32, with a notice" },
  BACKEND,
  { name: 'progress', type: 'string', choices: ['auto', 'json', 'none'], default: 'auto', help: 'a bar on a terminal (auto), JSON log lines, or nothing (output_dir/trainer_log.jsonl is always written)' },
  ...EVAL_FLAGS,
  { name: 'eval_steps', type: 'int', min: 1, help: 'also evaluate every n steps' },
  CONFIG_FLAG,
];
