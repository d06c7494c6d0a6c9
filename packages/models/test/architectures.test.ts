import { join } from 'node:path';
import { definePlugin, installPlugin, Registry } from '@retrievals/core-tensor';
import { fixturePath } from '@retrievals/fixtures';
import { describe, expect, it } from 'vitest';
import {
  applyLora, architectureOf, architectures, AutoModelForEmbedding, BertModel, builtinArchitectures, Checkpoint, ConfigReader, defineArchitecture, loadWeights, loraLayers, parseBertConfig, type Architecture,
} from '../src/index.js';

// PEFT's TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING for the second column.
const LORA: Record<string, [string[], string[]]> = {
  bert: [['query', 'key', 'value', 'output.dense', 'intermediate.dense'], ['query', 'value']],
  roberta: [['query', 'key', 'value', 'output.dense', 'intermediate.dense'], ['query', 'value']],
  'xlm-roberta': [['query', 'key', 'value', 'output.dense', 'intermediate.dense'], ['query', 'value']],
  camembert: [['query', 'key', 'value', 'output.dense', 'intermediate.dense'], ['query', 'value']],
  distilbert: [['q_lin', 'k_lin', 'v_lin', 'out_lin', 'lin1', 'lin2'], ['q_lin', 'v_lin']],
  llama: [['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'], ['q_proj', 'v_proj']],
  mistral: [['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'], ['q_proj', 'v_proj']],
  qwen2: [['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'], ['q_proj', 'v_proj']],
};

const bertConfig = () => ConfigReader.fromFile(join(fixturePath('bert-tiny'), 'config.json'));

describe('architecture records', () => {
  it('every registered name carries its LoRA defaults and comes from @retrievals/models', () => {
    expect(architectures.list().sort()).toEqual(Object.keys(LORA).sort());
    for (const name of architectures.list()) {
      const { lora } = architectures.get(name);
      expect([lora?.defaultTargets, lora?.peftDefaultTargets], name).toEqual(LORA[name]);
      expect(architectures.sourceOf(name)).toBe(builtinArchitectures.name);
    }
  });

  it('a loaded model knows the record it was built from', async () => {
    const model = await AutoModelForEmbedding.fromPretrained(fixturePath('bert-tiny'));
    expect(architectureOf(model.backbone!)).toBe(architectures.get('bert'));
    expect(model.runtime.capabilities).toEqual({ weights: true, graph: true, lora: true });
  });

  it("a plugin architecture's LoRA defaults are the ones applyLora uses", async () => {
    const registry = new Registry<Architecture>('architecture');
    const plugin = definePlugin({
      name: '@acme/bert-variant',
      setup({ architectures: r }) {
        r!.register('acme-bert', defineArchitecture({
          name: 'acme-bert',
          build: (c) => new BertModel(parseBertConfig(c)),
          layout: architectures.get('bert').layout,
          defaultPooling: 'mean',
          lora: { defaultTargets: ['intermediate.dense'], peftDefaultTargets: ['query'] },
        }));
      },
    });
    await installPlugin(plugin, { architectures: registry });
    const backbone = registry.get('acme-bert').build(bertConfig());
    const ckpt = Checkpoint.open(fixturePath('bert-tiny'));
    loadWeights(backbone, ckpt, architectures.get('bert').layout);
    ckpt.close();
    expect(registry.sourceOf('acme-bert')).toBe('@acme/bert-variant');
    expect([...loraLayers(applyLora(backbone)).keys()].every((p) => p.endsWith('intermediate.dense'))).toBe(true);
    expect(loraLayers(backbone).size).toBeGreaterThan(0);
    // Without defaults in its record, LoRA asks for explicit targets.
    const bare = defineArchitecture({ name: 'bare', build: (c) => new BertModel(parseBertConfig(c)), layout: { prefixes: [], ignore: [], optionalModules: [] }, defaultPooling: 'cls' });
    expect(() => applyLora(bare.build(bertConfig()))).toThrow(/no default target modules for BertModel; pass targetModules/);
  });

  it('defineArchitecture checks the record before anything registers it', () => {
    const base = { name: 'x', build: (c: ConfigReader) => new BertModel(parseBertConfig(c)), layout: { prefixes: [], ignore: [], optionalModules: [] }, defaultPooling: 'cls' };
    expect(() => defineArchitecture({ ...base, name: '' })).toThrow("defineArchitecture: 'name' must be the config.json model_type, got \"\"");
    expect(() => defineArchitecture({ ...base, defaultPooling: '' })).toThrow("architecture 'x': 'defaultPooling' must name a pooler");
    expect(() => defineArchitecture({ ...base, layout: { prefixes: [], ignore: [] } as never })).toThrow("architecture 'x': 'layout.optionalModules' must be an array");
    expect(() => defineArchitecture({ ...base, lora: { defaultTargets: [], peftDefaultTargets: ['q'] } })).toThrow("architecture 'x': 'lora.defaultTargets' must be a non-empty list of module names, got []");
    const notABackbone = defineArchitecture({ ...base, build: () => ({}) as never });
    expect(() => notABackbone.build(bertConfig())).toThrow("architecture 'x': build() must return a Backbone, got object");
  });
});
