#!/usr/bin/env python3
"""PyTorch reference trainer for @retrievals/trainer (packages/trainer/test/torch-parity.test.ts).

Run with pyenv's python3 (torch 2.x CPU wheel, numpy), from the repository root:

    python3 tools/torch-refs/make_trainer_refs.py             # dumps, trains, writes packages/trainer/test/refs/torch_trainer_*.json
    python3 tools/torch-refs/make_trainer_refs.py --dump DIR  # train on an existing dump instead of making one

Without --dump it first runs the parity test with TORCH_PARITY_DUMP=<temp dir> (npx vitest, in
packages/trainer), which makes the TypeScript trainer run each case and write, per case:
meta.json (model folder, architecture, pooling, loss, hyperparameters, LoRA r/alpha), init.safetensors
(the initial value of every trained tensor under the trainer's names: the whole backbone, or LoRA's
A and B as the trainer's seeded generator drew them) and batches.json (the 50 collated batches:
token ids, attention masks, token types, labels). This script then replays the 50 steps in plain
PyTorch, float32, dropout off:

  forward   make_model_refs.py's BertModel / LlamaModel forwards (imported, not copied), LoRA as
            make_lora_refs.py's PEFT linear (y = W x + b + B A x · alpha/r) on the targeted weights
  pooling   make_model_refs.pool_all: mean (BERT), last token (decoder)
  loss      make_loss_refs.py's infonce_ref (F.cross_entropy over cosine/τ, columns = every
            positive then every hard negative of the batch) and cosent_ref (bojone's CoSENT; its
            logsumexp head runs in float64 there, as in the loss references)
  optimizer torch.optim.AdamW over transformers' two groups (no weight decay on biases and on
            LayerNorm / RMSNorm weights), torch.nn.utils.clip_grad_norm_, and LambdaLR with
            transformers' get_linear_schedule_with_warmup multiplier

and writes the 50 losses, the 50 gradient norms before clipping, the L2 norm of every trained tensor
after the 50 steps (which sees what the losses barely do, e.g. weight decay put on a LayerNorm), the
largest |gradient| of each (the test leaves out tensors whose gradient is only rounding noise, as
BERT's attention key bias, which Adam moves in directions set by rounding) and the SHA-256 of batches.json, so the test (which reproduces the batches from the seed) knows the
reference was computed on its batches.
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_model_refs as mm  # noqa: E402  (the forwards, safetensors reader, pooling)
import make_lora_refs as mlr  # noqa: E402  (PEFT's LoRA linear, swapped in for F.linear)
import make_loss_refs as mlo  # noqa: E402  (the losses; importing it also sets 1 thread + deterministic algorithms)

ROOT = mm.ROOT
OUT = os.path.join(ROOT, 'packages', 'trainer', 'test', 'refs')
TRAINER = os.path.join(ROOT, 'packages', 'trainer')
# Normalisation layers' module names in these architectures: their weights, like biases, get no weight decay.
NORMS = {'LayerNorm', 'input_layernorm', 'post_attention_layernorm', 'norm'}


def decays(name):
    """transformers' get_decay_parameter_names: everything but biases and LayerNorm/RMSNorm weights."""
    parts = name.split('.')
    return parts[-1] != 'bias' and (len(parts) < 2 or parts[-2] not in NORMS)


def linear_schedule(warmup, total):
    """transformers.get_linear_schedule_with_warmup's lr_lambda."""
    def f(step):
        if step < warmup:
            return float(step) / float(max(1, warmup))
        return max(0.0, float(total - step) / float(max(1, total - warmup)))
    return f


def dump_from_typescript(dump):
    env = dict(os.environ, TORCH_PARITY_DUMP=dump)
    subprocess.run(['npx', 'vitest', 'run', 'test/torch-parity.test.ts'], cwd=TRAINER, env=env, check=True)


def load_case(folder):
    meta = json.load(open(os.path.join(folder, 'meta.json')))
    raw = open(os.path.join(folder, 'batches.json'), 'rb').read()
    init = mm.read_safetensors(os.path.join(folder, 'init.safetensors'))
    return meta, json.loads(raw), hashlib.sha256(raw).hexdigest(), init


def build_model(meta, init):
    """The state dict the forward reads, the trained tensors (as leaves that require grad) and the LoRA adapters."""
    model_dir = os.path.normpath(os.path.join(ROOT, meta['model_dir']))
    cfg = json.load(open(os.path.join(model_dir, 'config.json')))
    sd = mm.read_safetensors(os.path.join(model_dir, 'model.safetensors'))
    if meta['family'] == 'llama':
        sd = {k[len('model.'):]: v for k, v in sd.items() if k.startswith('model.')}
    trained = {name: t.clone().requires_grad_(True) for name, t in init.items()}
    adapters = {}
    if meta.get('lora'):
        r, alpha = meta['lora']['r'], meta['lora']['alpha']
        assert abs(meta['lora']['scaling'] - alpha / r) < 1e-12
        for name in trained:
            if name.endswith('.lora_A.weight'):
                path = name[:-len('.lora_A.weight')]
                adapters[id(sd[path + '.weight'])] = (trained[name], trained[path + '.lora_B.weight'], alpha / r)
        assert 2 * len(adapters) == len(trained), 'every trained tensor is a LoRA A or B'
    else:
        for name, t in trained.items():
            assert torch.equal(t.detach(), sd[name]), f'{name}: the dumped initial weight differs from {model_dir}'
            sd[name] = t
    return cfg, sd, trained, adapters


def embed(meta, cfg, sd, adapters, feature):
    ids = torch.tensor(feature['input_ids'], dtype=torch.long)
    mask = torch.tensor(feature['attention_mask'], dtype=torch.long)
    mm.F = mlr.LoraFunctional(adapters)
    try:
        if meta['family'] == 'bert':
            assert not any(any(r) for r in feature['token_type_ids']), 'single-segment texts: token types 0'
            h = mm.bert_forward(sd, cfg, ids, mask, torch.arange(ids.shape[1])[None, :])
        else:
            h = mm.llama_forward(sd, cfg, ids, mask, mm.decoder_position_ids(mask))
    finally:
        mm.F = mlr.torch_F
    return mm.pool_all(h, mask)[meta['pooling']]


def compute_loss(meta, emb, batch):
    spec = meta['loss']
    if spec['name'] == 'infonce':
        return mlo.infonce_ref(emb['query'], emb['positive'], emb.get('negative'), temperature=spec['temperature'])
    labels = torch.tensor(batch['labels'], dtype=torch.float32)
    return mlo.cosent_ref(emb['query'], emb['positive'], labels, scale=spec['scale'])


def train(meta, batches, init):
    cfg, sd, trained, adapters = build_model(meta, init)
    h = meta['hyper']
    groups = [
        {'params': [t for n, t in trained.items() if decays(n)], 'weight_decay': h['weight_decay']},
        {'params': [t for n, t in trained.items() if not decays(n)], 'weight_decay': 0.0},
    ]
    opt = torch.optim.AdamW([g for g in groups if g['params']], lr=h['lr'], betas=tuple(h['betas']), eps=h['eps'], foreach=False)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, linear_schedule(h['warmup_steps'], h['total_steps']))
    params = list(trained.values())
    losses, norms = [], []
    largest = {n: 0.0 for n in trained}
    for batch in batches:
        opt.zero_grad(set_to_none=True)
        emb = {role: embed(meta, cfg, sd, adapters, f) for role, f in batch['texts'].items()}
        loss = compute_loss(meta, emb, batch)
        loss.backward()
        with_grad = [p for p in params if p.grad is not None]
        for n, t in trained.items():
            if t.grad is not None:
                largest[n] = max(largest[n], t.grad.abs().max().item())
        if h['max_grad_norm'] > 0:
            norm = torch.nn.utils.clip_grad_norm_(with_grad, h['max_grad_norm'])
        else:
            norm = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(p.grad) for p in with_grad]))
        opt.step()
        sched.step()
        losses.append(loss.item())
        norms.append(norm.item())
    final = {n: torch.linalg.vector_norm(t.detach().double()).item() for n, t in trained.items()}
    return losses, norms, final, largest


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--dump', help='a folder the parity test wrote with TORCH_PARITY_DUMP (default: make one now)')
    ap.add_argument('--out', default=OUT)
    a = ap.parse_args()
    dump = a.dump or tempfile.mkdtemp(prefix='torch-parity-')
    if not a.dump:
        dump_from_typescript(dump)
    os.makedirs(a.out, exist_ok=True)
    for name in sorted(os.listdir(dump)):
        meta, batches, digest, init = load_case(os.path.join(dump, name))
        losses, norms, final, largest = train(meta, batches, init)
        ours = meta.get('project_losses') or []
        worst = max((abs(x - y) / abs(y) for x, y in zip(ours, losses)), default=float('nan'))
        ref = {
            'case': name, 'torch': torch.__version__, 'model_dir': meta['model_dir'], 'pooling': meta['pooling'], 'loss': meta['loss'],
            'lora': meta.get('lora'), 'hyper': meta['hyper'], 'batches_sha256': digest, 'losses': losses, 'grad_norms': norms, 'final_norms': final, 'max_abs_grads': largest,
        }
        out = os.path.join(a.out, f'torch_trainer_{name}.json')
        with open(out, 'w') as f:
            json.dump(ref, f, indent=1)
            f.write('\n')
        print(f'{out}: loss {losses[0]:.6f} -> {losses[-1]:.6f}; grad norm {norms[0]:.3g} -> {norms[-1]:.3g}; '
              f'max relative deviation of the TypeScript run {worst:.2e}')


if __name__ == '__main__':
    main()
