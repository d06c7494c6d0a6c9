#!/usr/bin/env python3
"""PyTorch reference values for @retrievals/core-tensor (test/torch-reference.test.ts).

How to run (from the repository root; needs PyTorch, e.g. Debian's python3-torch, NOT pyenv's python):

    /usr/bin/python3 tools/torch-refs/make_refs.py            # writes packages/core-tensor/test/refs/*.json
    /usr/bin/python3 tools/torch-refs/make_refs.py --out DIR  # somewhere else (e.g. to diff)

Deterministic: fixed seeds, float32, one CPU thread. The output is committed; regenerate only when
a computation below changes (and say so in the commit). Files (tensors are {"shape": [...], "data": [flat, row-major]}):

  mlp.json        2-layer MLP (GELU erf), F.cross_entropy(label_smoothing=0.1): logits, loss, and
                  the gradients of W1, b1, W2, b2 and x.
  attention.json  BERT-style multi-head self-attention block (hidden 16, 4 heads, q/k/v/o linear with
                  bias, additive padding mask, softmax, residual + LayerNorm eps 1e-12), batch 2, seq 5:
                  output and the gradients of every weight and of the input for loss = (out * R).sum().
  adamw.json      the MLP of mlp.json (same data and initial parameters, not repeated) trained for five
                  steps with torch.optim.AdamW, one param group and two param groups; and five steps
                  of SGD(momentum 0.9, nesterov, weight_decay 1e-3) with clip_grad_norm_(max_norm=0.5).
"""
import argparse
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)
torch.set_default_dtype(torch.float32)

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.normpath(os.path.join(HERE, '..', '..', 'packages', 'core-tensor', 'test', 'refs'))


def t2j(t):
    """{shape, data}: floats as the shortest decimal that round-trips the float32 value."""
    t = t.detach().cpu().contiguous()
    if t.dtype.is_floating_point:
        data = [float(str(np.float32(v))) for v in t.to(torch.float32).reshape(-1).tolist()]
    else:
        data = [int(v) for v in t.reshape(-1).tolist()]
    return {'shape': list(t.shape), 'data': data}


def write(out_dir, name, obj):
    path = os.path.join(out_dir, name)
    with open(path, 'w') as f:
        json.dump(obj, f, separators=(',', ':'))
        f.write('\n')
    print(f'{path}: {os.path.getsize(path)} bytes')


HEADER = {'generator': 'tools/torch-refs/make_refs.py', 'torch': torch.__version__, 'dtype': 'float32'}

# ---------------------------------------------------------------- MLP
N, D_IN, D_HID, C = 8, 16, 32, 5
LABEL_SMOOTHING = 0.1


def mlp_init():
    torch.manual_seed(1234)
    x = torch.randn(N, D_IN)
    targets = torch.randint(0, C, (N,), dtype=torch.int64)
    l1, l2 = torch.nn.Linear(D_IN, D_HID), torch.nn.Linear(D_HID, C)  # PyTorch's default init
    params = {'W1': l1.weight.detach().clone(), 'b1': l1.bias.detach().clone(),
              'W2': l2.weight.detach().clone(), 'b2': l2.bias.detach().clone()}
    return x, targets, params


def mlp_forward(x, targets, p):
    h = F.gelu(F.linear(x, p['W1'], p['b1']))  # approximate='none': the erf form
    logits = F.linear(h, p['W2'], p['b2'])
    return logits, F.cross_entropy(logits, targets, label_smoothing=LABEL_SMOOTHING)


def make_mlp():
    x, targets, init = mlp_init()
    x = x.clone().requires_grad_()
    p = {k: v.clone().requires_grad_() for k, v in init.items()}
    logits, loss = mlp_forward(x, targets, p)
    loss.backward()
    return {
        **HEADER,
        'description': 'logits = linear(gelu(linear(x, W1, b1)), W2, b2); loss = F.cross_entropy(logits, targets, label_smoothing=0.1)',
        'labelSmoothing': LABEL_SMOOTHING,
        'inputs': {'x': t2j(x), 'targets': t2j(targets), **{k: t2j(v) for k, v in init.items()}},
        'logits': t2j(logits),
        'loss': float(loss.item()),
        'grads': {**{k: t2j(v.grad) for k, v in p.items()}, 'x': t2j(x.grad)},
    }


# ---------------------------------------------------------------- attention
B, T, HID, HEADS = 2, 5, 16, 4
LN_EPS = 1e-12


def attention_block(x, mask, p):
    """BertSelfAttention + BertSelfOutput (no dropout): LayerNorm(dense(context) + x)."""
    hd = HID // HEADS

    def heads(t):  # [B, T, HID] -> [B, HEADS, T, hd]
        return t.reshape(B, T, HEADS, hd).permute(0, 2, 1, 3)

    q = heads(F.linear(x, p['Wq'], p['bq']))
    k = heads(F.linear(x, p['Wk'], p['bk']))
    v = heads(F.linear(x, p['Wv'], p['bv']))
    ext = (1.0 - mask[:, None, None, :].to(torch.float32)) * torch.finfo(torch.float32).min  # [B, 1, 1, T]
    scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(hd) + ext
    probs = torch.softmax(scores, dim=-1)
    ctx = torch.matmul(probs, v).permute(0, 2, 1, 3).reshape(B, T, HID)
    return F.layer_norm(F.linear(ctx, p['Wo'], p['bo']) + x, (HID,), p['gamma'], p['beta'], eps=LN_EPS)


def make_attention():
    torch.manual_seed(4321)
    x = torch.randn(B, T, HID)
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], dtype=torch.int64)
    p = {}
    for n in 'qkvo':
        lin = torch.nn.Linear(HID, HID)
        p['W' + n], p['b' + n] = lin.weight.detach().clone(), lin.bias.detach().clone()
    p['gamma'] = 1 + 0.1 * torch.randn(HID)
    p['beta'] = 0.1 * torch.randn(HID)
    R = torch.randn(B, T, HID)
    init = {k: v.clone() for k, v in p.items()}

    xg = x.clone().requires_grad_()
    pg = {k: v.clone().requires_grad_() for k, v in p.items()}
    out = attention_block(xg, mask, pg)
    (out * R).sum().backward()
    return {
        **HEADER,
        'description': 'BERT self-attention + output (q/k/v/o linear with bias, scores/sqrt(4) + (1-mask)*finfo.min, softmax, '
                       'LayerNorm(dense(ctx) + x, eps 1e-12)); loss = (out * R).sum()',
        'heads': HEADS,
        'layerNormEps': LN_EPS,
        'inputs': {'x': t2j(x), 'attentionMask': t2j(mask), 'R': t2j(R), **{k: t2j(v) for k, v in init.items()}},
        'out': t2j(out),
        'grads': {**{k: t2j(v.grad) for k, v in pg.items()}, 'x': t2j(xg.grad)},
    }


# ---------------------------------------------------------------- optimizers
STEPS = 5
ADAMW = {'lr': 1e-2, 'betas': [0.9, 0.999], 'eps': 1e-8, 'weightDecay': 0.01}
BIAS_GROUP = {'lr': 5e-3, 'weightDecay': 0.0}
SGD = {'lr': 0.1, 'momentum': 0.9, 'nesterov': True, 'weightDecay': 1e-3, 'clipMaxNorm': 0.5}
NAMES = ['W1', 'b1', 'W2', 'b2']


def train(make_opt, record_after, clip=None):
    x, targets, init = mlp_init()
    p = {k: v.clone().requires_grad_() for k, v in init.items()}
    opt = make_opt(p)
    losses, snapshots, grad_norms, min_abs_grad = [], {}, [], math.inf
    for step in range(1, STEPS + 1):
        opt.zero_grad()
        _, loss = mlp_forward(x, targets, p)
        loss.backward()
        min_abs_grad = min(min_abs_grad, min(v.grad.abs().min().item() for v in p.values()))
        if clip is not None:
            grad_norms.append(float(torch.nn.utils.clip_grad_norm_([p[k] for k in NAMES], max_norm=clip)))
        opt.step()
        losses.append(float(loss.item()))
        if step in record_after:
            snapshots[str(step)] = {k: t2j(v) for k, v in p.items()}
    # Adam normalises each gradient element; one that is ~0 would make the reference fragile.
    print(f'  smallest |gradient| element over the run: {min_abs_grad:.3g}')
    out = {'losses': losses, 'paramsAfterStep': snapshots}
    if clip is not None:
        out['gradNorms'] = grad_norms
    return out


def make_optim():
    adamw = lambda p: torch.optim.AdamW([p[k] for k in NAMES], lr=ADAMW['lr'], betas=tuple(ADAMW['betas']), eps=ADAMW['eps'],
                                        weight_decay=ADAMW['weightDecay'])
    adamw_groups = lambda p: torch.optim.AdamW(
        [{'params': [p['W1'], p['W2']]}, {'params': [p['b1'], p['b2']], 'lr': BIAS_GROUP['lr'], 'weight_decay': BIAS_GROUP['weightDecay']}],
        lr=ADAMW['lr'], betas=tuple(ADAMW['betas']), eps=ADAMW['eps'], weight_decay=ADAMW['weightDecay'])
    sgd = lambda p: torch.optim.SGD([p[k] for k in NAMES], lr=SGD['lr'], momentum=SGD['momentum'], nesterov=SGD['nesterov'],
                                    weight_decay=SGD['weightDecay'])
    print('AdamW, one group:')
    a = train(adamw, {1, STEPS})
    print('AdamW, two groups:')
    g = train(adamw_groups, {STEPS})
    print('SGD + clip_grad_norm_:')
    s = train(sgd, {STEPS}, clip=SGD['clipMaxNorm'])
    return {
        **HEADER,
        'description': 'the MLP of mlp.json (its inputs and initial parameters) trained for 5 steps; losses[i] is the loss of step i+1 '
                       '(before its update); paramsAfterStep[k] the parameters after k steps. Each step: zero_grad, forward, backward, '
                       '[clip_grad_norm_], step.',
        'steps': STEPS,
        'adamw': {'options': ADAMW, **a},
        'adamwGroups': {'options': ADAMW, 'groups': [{'params': ['W1', 'W2']}, {'params': ['b1', 'b2'], **BIAS_GROUP}], **g},
        'sgd': {'options': SGD, **s},
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', default=DEFAULT_OUT)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    write(args.out, 'mlp.json', make_mlp())
    write(args.out, 'attention.json', make_attention())
    write(args.out, 'adamw.json', make_optim())


if __name__ == '__main__':
    main()
