#!/usr/bin/python3
"""PyTorch references for @retrievals/models' LoRA (test/lora-reference.test.ts).

PEFT is not installed here, so its LoRA linear is written out: y = F.linear(x, W, b) +
(x @ A.T @ B.T) * scaling, scaling = lora_alpha / r (or lora_alpha / sqrt(r) with use_rslora),
as peft/tuners/lora/layer.py's Linear.forward computes it (lora_B(lora_A(dropout(x))) * scaling).

Outputs (under packages/models/test/refs/):
  lora-linear.json      one LoRA linear on bert-tiny's encoder.layer.0.attention.self.query: x, A, B,
                        and y for alpha/r and for rsLoRA's alpha/sqrt(r)
  lora-bert-tiny/       a PEFT adapter folder for bert-tiny: every attention and MLP Linear, r 4,
                        alpha 8, float32, keys as PEFT names them for an AutoModel
                        (base_model.model.encoder.layer.0.attention.self.query.lora_A.weight)
  lora-llama-tiny/      one for llama-tiny: target_modules [q_proj, v_proj, down_proj], r 4,
                        alpha 16, use_rslora, stored as bfloat16 with the keys PEFT writes for
                        LlamaForCausalLM (base_model.model.model.layers.0.self_attn.q_proj...)
  lora-<fixture>.json   the fixture's pooled embeddings (every pooler) with that adapter applied,
                        from make_model_refs.py's plain-PyTorch forwards with the LoRA linear above

The adapters are written by this script's own safetensors writer, and adapter_config.json with the
fields PEFT 0.13 writes, so the TypeScript loader is checked against files it did not write.
A and B are random (B non-zero, as after training); the bf16 adapter's reference uses the
bf16-rounded values, as the loader does.

Run:  node tools/fixtures/dist/cli.js fixtures && /usr/bin/python3 tools/torch-refs/make_lora_refs.py
"""
import json
import math
import os
import struct
import sys

import torch
import torch.nn.functional as torch_F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_model_refs as mm  # noqa: E402  (reuses its forwards, tokenizer call and pooling)

OUT = mm.OUT


def lora_linear(x, w, b, a, bm, scaling):
    """PEFT's lora.Linear.forward in eval mode (no dropout), default (non-merged) path."""
    return torch_F.linear(x, w, b) + torch_F.linear(torch_F.linear(x, a), bm) * scaling


class LoraFunctional:
    """Stands in for torch.nn.functional inside make_model_refs: F.linear on an adapted weight
    (recognised by identity) runs the LoRA linear, everything else is torch's own."""

    def __init__(self, adapters):
        self.adapters = adapters  # id(weight tensor) -> (A, B, scaling)

    def __getattr__(self, name):
        return getattr(torch_F, name)

    def linear(self, x, w, b=None):
        if id(w) in self.adapters:
            a, bm, scaling = self.adapters[id(w)]
            return lora_linear(x, w, b, a, bm, scaling)
        return torch_F.linear(x, w, b)


def write_safetensors(path, tensors, dtype):
    """safetensors layout: u64 header length, JSON header (8-byte padded), raw little-endian data."""
    header, blobs, offset = {'__metadata__': {'format': 'pt'}}, [], 0
    for name in sorted(tensors):
        t = tensors[name].contiguous()
        if dtype == 'BF16':
            raw = t.to(torch.bfloat16).view(torch.int16).numpy().astype('<i2').tobytes()
        else:
            raw = t.to(torch.float32).numpy().astype('<f4').tobytes()
        header[name] = {'dtype': dtype, 'shape': list(t.shape), 'data_offsets': [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * (-len(h) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))


def adapter_config(base, r, alpha, targets, rslora, task_type):
    """The fields PEFT 0.13's LoraConfig.to_dict() writes (save_pretrained: indent 2, sorted keys)."""
    return {
        'alpha_pattern': {}, 'auto_mapping': None, 'base_model_name_or_path': base, 'bias': 'none',
        'fan_in_fan_out': False, 'inference_mode': True, 'init_lora_weights': True, 'layer_replication': None,
        'layers_pattern': None, 'layers_to_transform': None, 'loftq_config': {}, 'lora_alpha': alpha,
        'lora_dropout': 0.0, 'megatron_config': None, 'megatron_core': 'megatron.core', 'modules_to_save': None,
        'peft_type': 'LORA', 'r': r, 'rank_pattern': {}, 'revision': None, 'target_modules': targets,
        'task_type': task_type, 'use_dora': False, 'use_rslora': rslora,
    }


def peft_matches(path, targets):
    """peft's check_target_module_exists for a list: equal, or ends with '.' + entry."""
    return any(path == t or path.endswith('.' + t) for t in targets)


def make_adapter(sd, linear_names, targets, r, gen, b_std):
    """Random A (kaiming-uniform bound 1/sqrt(in), PEFT's init) and B (normal, as if trained)."""
    out = {}
    for name in linear_names:
        if not peft_matches(name, targets):
            continue
        w = sd[name + '.weight']
        bound = 1 / math.sqrt(w.shape[1])
        a = (torch.rand(r, w.shape[1], generator=gen) * 2 - 1) * bound
        b = torch.randn(w.shape[0], r, generator=gen) * b_std
        out[name] = (a, b)
    return out


def as_list(x):
    return [float('%.7g' % v) for v in x.detach().reshape(-1).tolist()]


def main():
    torch.set_grad_enabled(False)
    gen = torch.Generator().manual_seed(1234)
    fx = mm.FIXTURES

    # 1. One LoRA linear on a real fixture weight.
    bert = mm.read_safetensors(os.path.join(fx, 'bert-tiny', 'model.safetensors'))
    path = 'encoder.layer.0.attention.self.query'
    w, b = bert[path + '.weight'], bert[path + '.bias']
    r, alpha = 4, 8
    x = torch.randn(2, 3, w.shape[1], generator=gen)
    a = torch.randn(r, w.shape[1], generator=gen) * 0.3
    bm = torch.randn(w.shape[0], r, generator=gen) * 0.3
    ref = {'torch': torch.__version__, 'fixture': 'bert-tiny', 'module': path, 'r': r, 'alpha': alpha,
           'x': {'shape': list(x.shape), 'data': as_list(x)}, 'lora_A': {'shape': list(a.shape), 'data': as_list(a)},
           'lora_B': {'shape': list(bm.shape), 'data': as_list(bm)}}
    # The stored (7-digit) inputs are what the test feeds, so compute from those.
    x, a, bm = (torch.tensor(ref[k]['data']).reshape(ref[k]['shape']) for k in ('x', 'lora_A', 'lora_B'))
    ref['y'] = as_list(lora_linear(x, w, b, a, bm, alpha / r))
    ref['y_rslora'] = as_list(lora_linear(x, w, b, a, bm, alpha / math.sqrt(r)))
    with open(os.path.join(OUT, 'lora-linear.json'), 'w') as f:
        json.dump(ref, f, separators=(',', ':'))
        f.write('\n')

    # 2. Adapted fixture models.
    cases = [
        # name, folder, family, targets, r, alpha, rslora, stored dtype, key prefix, task_type, B std
        ('bert-tiny', 'bert', ['query', 'key', 'value', 'output.dense', 'intermediate.dense'], 4, 8, False, 'F32', '', 'FEATURE_EXTRACTION', 0.1),
        ('llama-tiny', 'llama', ['q_proj', 'v_proj', 'down_proj'], 4, 16, True, 'BF16', 'model.', 'CAUSAL_LM', 0.05),
    ]
    ids = mm.tokenize({os.path.join(fx, c[0]): mm.TEXTS['encoder' if c[1] == 'bert' else 'decoder'] for c in cases})
    for name, family, targets, r, alpha, rslora, dtype, prefix, task, b_std in cases:
        folder = os.path.join(fx, name)
        cfg = json.load(open(os.path.join(folder, 'config.json')))
        sd = mm.read_safetensors(os.path.join(folder, 'model.safetensors'))
        if family == 'llama':
            sd = {k[len('model.'):]: v for k, v in sd.items() if k.startswith('model.')}
        linear_names = sorted({k[:-len('.weight')] for k, v in sd.items() if k.endswith('.weight') and v.dim() == 2 and 'embed' not in k})
        adapters = make_adapter(sd, linear_names, targets, r, gen, b_std)
        if dtype == 'BF16':  # the reference uses what the file holds
            adapters = {k: (a.to(torch.bfloat16).float(), b.to(torch.bfloat16).float()) for k, (a, b) in adapters.items()}
        scaling = alpha / math.sqrt(r) if rslora else alpha / r
        mm.F = LoraFunctional({id(sd[k + '.weight']): (a, b, scaling) for k, (a, b) in adapters.items()})
        try:
            rows = ids[folder]
            if family == 'bert':
                side, pad_id = 'right', cfg['pad_token_id']
                input_ids, mask = mm.pad(rows, pad_id, side)
                h = mm.bert_forward(sd, cfg, input_ids, mask, torch.arange(input_ids.shape[1])[None, :])
            else:
                side, pad_id = 'left', cfg['pad_token_id']
                input_ids, mask = mm.pad(rows, pad_id, side)
                h = mm.llama_forward(sd, cfg, input_ids, mask, mm.decoder_position_ids(mask))
        finally:
            mm.F = torch_F
        out_dir = os.path.join(OUT, f'lora-{name}')
        os.makedirs(out_dir, exist_ok=True)
        tensors = {}
        for k, (a, b) in adapters.items():
            tensors[f'base_model.model.{prefix}{k}.lora_A.weight'] = a
            tensors[f'base_model.model.{prefix}{k}.lora_B.weight'] = b
        write_safetensors(os.path.join(out_dir, 'adapter_model.safetensors'), tensors, dtype)
        with open(os.path.join(out_dir, 'adapter_config.json'), 'w') as f:
            f.write(json.dumps(adapter_config(f'fixtures/{name}', r, alpha, targets, rslora, task), indent=2, sort_keys=True))
        pooled = mm.pool_all(h, mask)
        ref = {'torch': torch.__version__, 'fixture': name, 'adapter': f'lora-{name}', 'padding_side': side,
               'texts': mm.TEXTS['encoder' if family == 'bert' else 'decoder'], 'adapted': sorted(adapters),
               'input_ids': input_ids.tolist(), 'attention_mask': mask.tolist(),
               'pooled': {k: as_list(v) for k, v in pooled.items()}}
        with open(os.path.join(OUT, f'lora-{name}.json'), 'w') as f:
            json.dump(ref, f, separators=(',', ':'))
            f.write('\n')
        print(f'lora-{name}: {len(adapters)} adapted layers, scaling {scaling:g}, {dtype}')


if __name__ == '__main__':
    main()
