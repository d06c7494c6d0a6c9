#!/usr/bin/python3
"""PyTorch references for @retrievals/models: last hidden states and pooled embeddings of the
fixture models, from a plain-PyTorch re-implementation of transformers' BertModel, XLMRobertaModel,
DistilBertModel and LlamaModel/Qwen2Model forwards (eager attention, float32) on the same
safetensors files. `transformers` is not installed here, so the forwards are written out from its
modeling code (v4.46), op for op.

Token ids come from the fixtures' tokenizer.json through @huggingface/tokenizers (the library the
models package uses; node is called once), so the references cover tokenization too.

Decoders get position ids from the attention mask (cumsum - 1, pads set to 1), as transformers'
generate() passes them: a plain LlamaModel call without position_ids would number left padding too.

Run:  node tools/fixtures/dist/cli.js fixtures && /usr/bin/python3 tools/torch-refs/make_model_refs.py
Writes packages/models/test/refs/<fixture>.json (small: a few texts, hidden size 32).
"""
import json
import math
import os
import struct
import subprocess
import sys

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
FIXTURES = os.path.join(ROOT, 'fixtures')
OUT = os.path.join(ROOT, 'packages', 'models', 'test', 'refs')
MIN = torch.finfo(torch.float32).min

TEXTS = {
    'encoder': [
        'The quick brown fox.',
        'Hello world',
        'Relevant pairs end up close.',
        'a',
    ],
    'xlmr': [
        'Guten Tag, wie geht es dir?',
        'Hello world',
        'Le chat dort sur le canapé.',
        '你好',
    ],
    'decoder': [
        'Instruct: find passages\nQuery: a fox?',
        'Hello world',
        'The last token of a causal model.',
        'x',
    ],
}

# name -> (folder, family, text set)
FIXTURE_SET = {
    'bert-tiny': ('bert-tiny', 'bert', 'encoder'),
    'xlmr-tiny': ('xlmr-tiny', 'xlmr', 'xlmr'),
    'distilbert-tiny': ('bert-tiny', 'distilbert', 'encoder'),  # bert-tiny's weights renamed, see distilbert_state
    'llama-tiny': ('llama-tiny', 'llama', 'decoder'),
    'qwen2-tiny': ('qwen2-tiny', 'llama', 'decoder'),
}


def read_safetensors(path):
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == '__metadata__':
            continue
        b, e = info['data_offsets']
        raw = data[b:e]
        if info['dtype'] == 'F32':
            a = np.frombuffer(raw, dtype='<f4')
        elif info['dtype'] == 'F16':
            a = np.frombuffer(raw, dtype='<f2').astype(np.float32)
        elif info['dtype'] == 'BF16':
            a = (np.frombuffer(raw, dtype='<u2').astype(np.uint32) << 16).view(np.float32)
        else:
            raise ValueError(f'{path}: {name}: dtype {info["dtype"]}')
        out[name] = torch.from_numpy(a.copy().reshape(info['shape']))
    return out


def tokenize(requests):
    """{folder: [texts]} -> {folder: [[ids]]} with @huggingface/tokenizers (special tokens added, no truncation)."""
    script = """
import { Tokenizer } from '@huggingface/tokenizers';
import { readFileSync } from 'node:fs';
const req = JSON.parse(readFileSync(0, 'utf8'));
const out = {};
for (const [dir, texts] of Object.entries(req)) {
  const read = (f) => JSON.parse(readFileSync(dir + '/' + f, 'utf8'));
  const tok = new Tokenizer(read('tokenizer.json'), read('tokenizer_config.json'));
  out[dir] = texts.map((t) => tok.encode(t).ids);
}
process.stdout.write(JSON.stringify(out));
"""
    res = subprocess.run(['node', '--input-type=module', '-e', script], input=json.dumps(requests).encode(),
                         cwd=os.path.join(ROOT, 'packages', 'models'), capture_output=True, check=True)
    return json.loads(res.stdout)


def pad(rows, pad_id, side):
    t = max(len(r) for r in rows)
    ids, mask = [], []
    for r in rows:
        p = t - len(r)
        ids.append(r + [pad_id] * p if side == 'right' else [pad_id] * p + r)
        mask.append([1] * len(r) + [0] * p if side == 'right' else [0] * p + [1] * len(r))
    return torch.tensor(ids, dtype=torch.long), torch.tensor(mask, dtype=torch.long)


# ---- BERT / XLM-R (transformers BertModel / XLMRobertaModel, eager attention) ----

def bert_forward(sd, cfg, input_ids, attention_mask, position_ids):
    eps, heads = cfg['layer_norm_eps'], cfg['num_attention_heads']
    b, t = input_ids.shape
    token_type_ids = torch.zeros_like(input_ids)
    emb = sd['embeddings.word_embeddings.weight'][input_ids] + sd['embeddings.token_type_embeddings.weight'][token_type_ids]
    emb = emb + sd['embeddings.position_embeddings.weight'][position_ids]
    h = F.layer_norm(emb, (emb.shape[-1],), sd['embeddings.LayerNorm.weight'], sd['embeddings.LayerNorm.bias'], eps)
    ext = (1.0 - attention_mask[:, None, None, :].to(torch.float32)) * MIN
    d = h.shape[-1] // heads
    for i in range(cfg['num_hidden_layers']):
        p = f'encoder.layer.{i}.'
        lin = lambda x, n: F.linear(x, sd[p + n + '.weight'], sd[p + n + '.bias'])
        split = lambda x: x.view(b, t, heads, d).permute(0, 2, 1, 3)
        q, k, v = split(lin(h, 'attention.self.query')), split(lin(h, 'attention.self.key')), split(lin(h, 'attention.self.value'))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(d)
        probs = F.softmax(scores + ext, dim=-1)
        ctx = torch.matmul(probs, v).permute(0, 2, 1, 3).contiguous().view(b, t, heads * d)
        a = F.layer_norm(lin(ctx, 'attention.output.dense') + h, (h.shape[-1],), sd[p + 'attention.output.LayerNorm.weight'], sd[p + 'attention.output.LayerNorm.bias'], eps)
        inter = F.gelu(lin(a, 'intermediate.dense'))
        h = F.layer_norm(lin(inter, 'output.dense') + a, (h.shape[-1],), sd[p + 'output.LayerNorm.weight'], sd[p + 'output.LayerNorm.bias'], eps)
    return h


def roberta_position_ids(input_ids, padding_idx):
    mask = input_ids.ne(padding_idx).int()
    return (torch.cumsum(mask, dim=1).type_as(mask) * mask).long() + padding_idx


# ---- DistilBERT (transformers DistilBertModel) ----

def distilbert_state(bert):
    """bert-tiny's tensors under DistilBERT's names (no token types, no pooler): a distilbert-tiny without a fixture."""
    sd = {
        'embeddings.word_embeddings.weight': bert['embeddings.word_embeddings.weight'],
        'embeddings.position_embeddings.weight': bert['embeddings.position_embeddings.weight'],
        'embeddings.LayerNorm.weight': bert['embeddings.LayerNorm.weight'],
        'embeddings.LayerNorm.bias': bert['embeddings.LayerNorm.bias'],
    }
    names = {'attention.q_lin': 'attention.self.query', 'attention.k_lin': 'attention.self.key', 'attention.v_lin': 'attention.self.value',
             'attention.out_lin': 'attention.output.dense', 'sa_layer_norm': 'attention.output.LayerNorm', 'ffn.lin1': 'intermediate.dense',
             'ffn.lin2': 'output.dense', 'output_layer_norm': 'output.LayerNorm'}
    for i in range(2):
        for new, old in names.items():
            for s in ('weight', 'bias'):
                sd[f'transformer.layer.{i}.{new}.{s}'] = bert[f'encoder.layer.{i}.{old}.{s}']
    return sd


def distilbert_forward(sd, cfg, input_ids, attention_mask):
    heads, dim = cfg['n_heads'], cfg['dim']
    b, t = input_ids.shape
    pos = torch.arange(t)[None, :]
    emb = sd['embeddings.word_embeddings.weight'][input_ids] + sd['embeddings.position_embeddings.weight'][pos]
    h = F.layer_norm(emb, (dim,), sd['embeddings.LayerNorm.weight'], sd['embeddings.LayerNorm.bias'], 1e-12)
    d = dim // heads
    for i in range(cfg['n_layers']):
        p = f'transformer.layer.{i}.'
        lin = lambda x, n: F.linear(x, sd[p + n + '.weight'], sd[p + n + '.bias'])
        shape = lambda x: x.view(b, -1, heads, d).transpose(1, 2)
        q, k, v = shape(lin(h, 'attention.q_lin')), shape(lin(h, 'attention.k_lin')), shape(lin(h, 'attention.v_lin'))
        q = q / math.sqrt(d)
        scores = torch.matmul(q, k.transpose(2, 3))
        masked = (attention_mask == 0).view(b, 1, 1, t).expand_as(scores)
        scores = scores.masked_fill(masked, MIN)
        weights = F.softmax(scores, dim=-1)
        ctx = torch.matmul(weights, v).transpose(1, 2).contiguous().view(b, -1, heads * d)
        sa = F.layer_norm(lin(ctx, 'attention.out_lin') + h, (dim,), sd[p + 'sa_layer_norm.weight'], sd[p + 'sa_layer_norm.bias'], 1e-12)
        ffn = lin(F.gelu(lin(sa, 'ffn.lin1')), 'ffn.lin2')
        h = F.layer_norm(ffn + sa, (dim,), sd[p + 'output_layer_norm.weight'], sd[p + 'output_layer_norm.bias'], 1e-12)
    return h


# ---- Llama / Qwen2 (transformers LlamaModel / Qwen2Model, eager attention) ----

def rms_norm(x, w, eps):
    dtype = x.dtype
    x = x.to(torch.float32)
    var = x.pow(2).mean(-1, keepdim=True)
    return w * (x * torch.rsqrt(var + eps)).to(dtype)


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def llama_forward(sd, cfg, input_ids, attention_mask, position_ids):
    heads, kv = cfg['num_attention_heads'], cfg['num_key_value_heads']
    hidden = cfg['hidden_size']
    d = cfg.get('head_dim') or hidden // heads
    eps, base = cfg['rms_norm_eps'], cfg.get('rope_theta', 10000.0)
    b, t = input_ids.shape
    inv_freq = 1.0 / (base ** (torch.arange(0, d, 2, dtype=torch.int64).float() / d))
    freqs = (inv_freq[None, :, None].float().expand(b, -1, 1) @ position_ids[:, None, :].float()).transpose(1, 2)
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos()[:, None], emb.sin()[:, None]
    # _prepare_4d_causal_attention_mask_with_cache_position
    causal = torch.full((t, t), MIN).triu(1)[None, None].expand(b, 1, -1, -1).clone()
    padding = (causal + attention_mask[:, None, None, :].to(torch.float32)) == 0
    causal = causal.masked_fill(padding, MIN)
    h = sd['embed_tokens.weight'][input_ids]
    for i in range(cfg['num_hidden_layers']):
        p = f'layers.{i}.'
        lin = lambda x, n: F.linear(x, sd[p + n + '.weight'], sd.get(p + n + '.bias'))
        x = rms_norm(h, sd[p + 'input_layernorm.weight'], eps)
        q = lin(x, 'self_attn.q_proj').view(b, t, heads, d).transpose(1, 2)
        k = lin(x, 'self_attn.k_proj').view(b, t, kv, d).transpose(1, 2)
        v = lin(x, 'self_attn.v_proj').view(b, t, kv, d).transpose(1, 2)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        k = k[:, :, None].expand(b, kv, heads // kv, t, d).reshape(b, heads, t, d)  # repeat_kv
        v = v[:, :, None].expand(b, kv, heads // kv, t, d).reshape(b, heads, t, d)
        w = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(d)
        w = F.softmax(w + causal, dim=-1, dtype=torch.float32)
        o = torch.matmul(w, v).transpose(1, 2).contiguous().reshape(b, t, -1)
        h = h + lin(o, 'self_attn.o_proj')
        x = rms_norm(h, sd[p + 'post_attention_layernorm.weight'], eps)
        h = h + lin(F.silu(lin(x, 'mlp.gate_proj')) * lin(x, 'mlp.up_proj'), 'mlp.down_proj')
    return rms_norm(h, sd['norm.weight'], eps)


def decoder_position_ids(mask):
    pos = mask.long().cumsum(-1) - 1
    return pos.masked_fill(mask == 0, 1)


# ---- pooling, with @retrievals/pooling's semantics (sentence-transformers' for right padding) ----

def pool_all(h, mask):
    m = mask.to(torch.float32)[..., None]
    t = h.shape[1]
    idx = torch.arange(t, dtype=torch.float32)[None, :]
    first = torch.where(mask > 0, idx, torch.tensor(float(t))).min(1).values.long()
    last = (mask.to(torch.float32) * idx).max(1).values.long()
    rows = torch.arange(h.shape[0])
    count = m.sum(1).clamp(min=1e-9)
    w = (mask.to(torch.float32).cumsum(1) * mask.to(torch.float32))[..., None]
    return {
        'cls': h[rows, first],
        'last': h[rows, last],
        'mean': (h * m).sum(1) / count,
        'mean_sqrt_len': (h * m).sum(1) / count.sqrt(),
        'weightedmean': (h * w).sum(1) / w.sum(1).clamp(min=1e-9),
        'max': h.masked_fill(m == 0, -1e9).max(1).values,
    }


def as_list(x):
    return [float('%.7g' % v) for v in x.detach().reshape(-1).tolist()]


def main():
    if not os.path.isdir(FIXTURES):
        sys.exit(f'{FIXTURES} is missing: run `node tools/fixtures/dist/cli.js fixtures` first')
    os.makedirs(OUT, exist_ok=True)
    requests = {}
    for folder, _, texts in FIXTURE_SET.values():
        requests[os.path.join(FIXTURES, folder)] = TEXTS[texts]
    ids = tokenize(requests)
    torch.set_grad_enabled(False)
    for name, (folder, family, texts) in FIXTURE_SET.items():
        path = os.path.join(FIXTURES, folder)
        cfg = json.load(open(os.path.join(path, 'config.json')))
        tok_cfg = json.load(open(os.path.join(path, 'tokenizer_config.json')))
        sd = read_safetensors(os.path.join(path, 'model.safetensors'))
        rows = ids[path]
        sides = ['right'] if family != 'llama' else ['left', 'right']
        if family == 'llama':
            sd = {k[len('model.'):]: v for k, v in sd.items() if k.startswith('model.')}
            pad_id = {'<unk>': 0}.get(tok_cfg['pad_token'], None)
            if pad_id is None:
                pad_id = cfg['eos_token_id']
        elif family == 'distilbert':
            sd = distilbert_state(sd)
            cfg = {'n_heads': cfg['num_attention_heads'], 'dim': cfg['hidden_size'], 'n_layers': cfg['num_hidden_layers']}
            pad_id = 0
        else:
            pad_id = cfg['pad_token_id']
        batches = []
        for side in sides:
            input_ids, mask = pad(rows, pad_id, side)
            if family == 'bert':
                h = bert_forward(sd, cfg, input_ids, mask, torch.arange(input_ids.shape[1])[None, :])
            elif family == 'xlmr':
                h = bert_forward(sd, cfg, input_ids, mask, roberta_position_ids(input_ids, cfg['pad_token_id']))
            elif family == 'distilbert':
                h = distilbert_forward(sd, cfg, input_ids, mask)
            else:
                h = llama_forward(sd, cfg, input_ids, mask, decoder_position_ids(mask))
            pooled = pool_all(h, mask)
            batches.append({
                'padding_side': side,
                'input_ids': input_ids.tolist(),
                'attention_mask': mask.tolist(),
                'last_hidden_state': as_list(h),
                'shape': list(h.shape),
                'pooled': {k: as_list(v) for k, v in pooled.items()},
            })
        ref = {'fixture': folder, 'family': family, 'texts': TEXTS[texts], 'torch': torch.__version__, 'batches': batches}
        out = os.path.join(OUT, f'{name}.json')
        with open(out, 'w') as f:
            json.dump(ref, f, separators=(',', ':'))
            f.write('\n')
        print(f'{out}: {len(batches)} batch(es), hidden {list(h.shape)}')


if __name__ == '__main__':
    main()
