#!/usr/bin/env python3
"""PyTorch reference values for @retrievals/losses (packages/losses/test/refs.test.ts).

How to run (from the repository root; needs PyTorch, e.g. Debian's python3-torch, NOT pyenv's python):

    /usr/bin/python3 tools/torch-refs/make_loss_refs.py            # writes packages/losses/test/refs/*.json
    /usr/bin/python3 tools/torch-refs/make_loss_refs.py --out DIR  # somewhere else (e.g. to diff)

Each loss is written here the plain PyTorch way, from its paper or its reference code, not from
the TypeScript: F.cross_entropy(label_smoothing=...) for InfoNCE, SimCSE's own logits and hard
negative weights, bojone's CoSENT, sentence-transformers' pairwise_angle_sim, insightface's
ArcFace, F.kl_div(log_target=True), F.mse_loss for MarginMSE, ListNet's top-one cross entropy,
ColBERT's einsum MaxSim, and triplet / pairwise terms as explicit loops over (query, negative).

Inputs are drawn in float32 and stored as float32 values; the losses and the gradients of every
float input are computed in float64 from those values, so the TypeScript can be compared in
float64 on `js` (tight) and in float32 on `ort` (within 1e-5). One file per loss; each case is
{name, loss, options, inputs, params?, expected: {loss, grads}}, tensors as {shape, dtype, data}.
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

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.normpath(os.path.join(HERE, '..', '..', 'packages', 'losses', 'test', 'refs'))
B, G, D = 4, 3, 8

gen = torch.Generator().manual_seed(20240601)


def randn(*shape, std=1.0):
    """float32 draws held as float64 (exactly representable in float32)."""
    return (torch.randn(*shape, generator=gen, dtype=torch.float32) * std).to(torch.float64)


def j(t, digits=None):
    """{shape, dtype, data}. Inputs hold float32 values: the shortest decimal that round-trips float32;
    gradients are float64 rounded to `digits` significant digits (plenty for a 1e-9 comparison)."""
    t = t.detach().contiguous()
    if t.dtype == torch.bool:
        return {'shape': list(t.shape), 'dtype': 'bool', 'data': [int(v) for v in t.reshape(-1).tolist()]}
    if t.dtype in (torch.int64, torch.int32):
        return {'shape': list(t.shape), 'dtype': 'int64', 'data': [int(v) for v in t.reshape(-1).tolist()]}
    values = t.reshape(-1).tolist()
    data = [float(f'{v:.{digits}g}') for v in values] if digits else [float(str(np.float32(v))) for v in values]
    return {'shape': list(t.shape), 'dtype': 'float', 'data': data}


def case(name, loss, options, fn, inputs, params=None):
    """Runs fn(**inputs, **params) with gradients on every float tensor, records value and grads."""
    params = params or {}
    leaves = {}
    for k, v in {**inputs, **params}.items():
        # Differentiable: embeddings, student scores, class centres; not labels, teacher scores or margins.
        if isinstance(v, torch.Tensor) and v.dtype == torch.float64 and not k.startswith('teacher') and k not in ('labels', 'margin'):
            leaves[k] = v.clone().requires_grad_(True)
        else:
            leaves[k] = v
    value = fn(**leaves)
    value.backward()
    grads = {k: j(t.grad if t.grad is not None else torch.zeros_like(t), digits=12) for k, t in leaves.items() if isinstance(t, torch.Tensor) and t.requires_grad}
    return {
        'name': name,
        'loss': loss,
        'options': options,
        'inputs': {k: (j(v) if isinstance(v, torch.Tensor) else v) for k, v in inputs.items()},
        'params': {k: j(v) for k, v in params.items()},
        'expected': {'loss': float(value), 'grads': grads},
    }


def triple(b=B, g=G, d=D):
    return {'query': randn(b, d), 'positive': randn(b, d), **({'negative': randn(b * (g - 1), d)} if g > 1 else {})}


# ------------------------------------------------------------------ InfoNCE

def infonce_ref(query, positive, negative=None, temperature=0.05, use_inbatch_negative=True, symmetric=False, label_smoothing=0.0, similarity='cosine'):
    q, p = query, positive
    n = negative
    if similarity == 'cosine':
        q, p = F.normalize(q, dim=-1), F.normalize(p, dim=-1)
        n = F.normalize(n, dim=-1) if n is not None else None
    b = q.shape[0]
    if use_inbatch_negative:
        docs = torch.cat([p, n]) if n is not None else p
        logits = q @ docs.T / temperature
        target = torch.arange(b)
        loss = F.cross_entropy(logits, target, label_smoothing=label_smoothing)
        if symmetric:
            back = F.cross_entropy((q @ p.T / temperature).T, target, label_smoothing=label_smoothing)
            loss = (loss + back) / 2
        return loss
    group = torch.cat([p.unsqueeze(1), n.view(b, -1, q.shape[1])], dim=1)
    logits = torch.einsum('bd,bgd->bg', q, group) / temperature
    return F.cross_entropy(logits, torch.zeros(b, dtype=torch.long), label_smoothing=label_smoothing)


def infonce_cases():
    opt_map = lambda o: dict(temperature=o.get('temperature', 0.05), use_inbatch_negative=o.get('useInbatchNegative', True),
                             symmetric=o.get('symmetric', False), label_smoothing=o.get('labelSmoothing', 0.0), similarity=o.get('similarity', 'cosine'))
    specs = [
        ('default: in-batch with hard negatives', {}, triple()),
        ('in-batch without negatives (G = 1)', {}, triple(g=1)),
        ('own group only', {'useInbatchNegative': False}, triple()),
        ('symmetric, label smoothing, temperature 0.1', {'symmetric': True, 'labelSmoothing': 0.1, 'temperature': 0.1}, triple()),
        ('dot similarity, temperature 1, own group, smoothing', {'similarity': 'dot', 'temperature': 1, 'useInbatchNegative': False, 'labelSmoothing': 0.2}, triple(g=4)),
        ('batch of one with negatives', {}, triple(b=1)),
        ('batch of one, own group', {'useInbatchNegative': False}, triple(b=1, g=2)),
    ]
    return [case(name, 'infonce', o, lambda o=o, **x: infonce_ref(**x, **opt_map(o)), inp) for name, o, inp in specs]


# ------------------------------------------------------------------ SimCSE (as princeton-nlp/SimCSE models.py)

def simcse_ref(query, positive, negative=None, temperature=0.05, hard_negative_weight=0.0):
    cos = lambda a, b: F.cosine_similarity(a.unsqueeze(1), b.unsqueeze(0), dim=-1) / temperature
    cos_sim = cos(query, positive)
    if negative is not None:
        z1_z3 = cos(query, negative)
        cos_sim = torch.cat([cos_sim, z1_z3], 1)
        b, k = query.shape[0], negative.shape[0] // query.shape[0]
        weights = torch.tensor([[0.0] * b + [0.0] * (i * k) + [hard_negative_weight] * k + [0.0] * ((b - i - 1) * k) for i in range(b)], dtype=torch.float64)
        cos_sim = cos_sim + weights
    return F.cross_entropy(cos_sim, torch.arange(query.shape[0]))


def simcse_cases():
    specs = [
        ('unsupervised (two dropout views)', {}, triple(g=1)),
        ('supervised with one hard negative', {}, triple(g=2)),
        ('supervised, two negatives, hard negative weight 1, temperature 0.1', {'hardNegativeWeight': 1, 'temperature': 0.1}, triple(g=3)),
        ('batch of one, unsupervised', {}, triple(b=1, g=1)),
    ]
    return [case(n, 'simcse', o, lambda o=o, **x: simcse_ref(**x, temperature=o.get('temperature', 0.05), hard_negative_weight=o.get('hardNegativeWeight', 0.0)), i) for n, o, i in specs]


# ------------------------------------------------------------------ Triplet and pairwise, as loops over (query, negative)

def sim_fn(kind):
    if kind == 'cosine':
        return lambda a, b: F.cosine_similarity(a, b, dim=0)
    if kind == 'dot':
        return lambda a, b: (a * b).sum()
    return lambda a, b: -((a - b) ** 2).sum().clamp_min(1e-12).sqrt()


def candidate_lists(query, positive, negative, inbatch):
    """For each query: its positive, and the list of its negatives."""
    b = query.shape[0]
    k = negative.shape[0] // b if negative is not None else 0
    out = []
    for i in range(b):
        if inbatch:
            docs = [positive[j] for j in range(b) if j != i] + ([negative[j] for j in range(negative.shape[0])] if negative is not None else [])
        else:
            docs = [negative[i * k + t] for t in range(k)]
        out.append((positive[i], docs))
    return out


def triplet_ref(query, positive, negative=None, distance='cosine', form='hinge', margin=None, temperature=None, batch_hard=False, inbatch=False):
    s = sim_fn(distance)
    margin = margin if margin is not None else (5.0 if distance == 'euclidean' else 0.5)
    temperature = temperature if temperature is not None else (1.0 if distance == 'euclidean' else 0.05)
    term = (lambda gap: F.relu(gap + margin)) if form == 'hinge' else (lambda gap: F.softplus(gap / temperature))
    terms = []
    for i, (p, docs) in enumerate(candidate_lists(query, positive, negative, inbatch)):
        gaps = torch.stack([s(query[i], n) - s(query[i], p) for n in docs])
        terms.extend([term(gaps.max())] if batch_hard else [term(g) for g in gaps])
    return torch.stack(terms).mean()


def triplet_cases():
    specs = [
        ('hinge, cosine, own group', {}, triple()),
        ('hinge, euclidean, own group', {'distance': 'euclidean'}, triple()),
        ('soft, cosine', {'form': 'soft'}, triple()),
        ('soft, euclidean, temperature 2', {'form': 'soft', 'distance': 'euclidean', 'temperature': 2}, triple()),
        ('hinge, cosine, in-batch, margin 0.8', {'useInbatchNegative': True, 'margin': 0.8}, triple()),
        ('batch-hard, cosine, in-batch', {'batchHard': True, 'useInbatchNegative': True}, triple()),
        ('batch-hard, euclidean, own group, margin 1', {'batchHard': True, 'distance': 'euclidean', 'margin': 1}, triple(g=4)),
        ('batch-hard soft, euclidean, in-batch without negatives', {'batchHard': True, 'distance': 'euclidean', 'form': 'soft', 'useInbatchNegative': True}, triple(g=1)),
        ('batch of one', {}, triple(b=1)),
    ]
    def run(o, **x):
        return triplet_ref(**x, distance=o.get('distance', 'cosine'), form=o.get('form', 'hinge'), margin=o.get('margin'),
                           temperature=o.get('temperature'), batch_hard=o.get('batchHard', False), inbatch=o.get('useInbatchNegative', False))
    return [case(n, 'triplet', o, lambda o=o, **x: run(o, **x), i) for n, o, i in specs]


def pairwise_ref(query, positive, negative, kind, margin=0.5, scale=1.0, similarity='cosine'):
    """Binary: similarity(q, p) > similarity(q, n). Hinge max(0, margin − (s_p − s_n)); logistic −log σ(scale·(s_p − s_n))."""
    s = sim_fn(similarity)
    terms = []
    for i, (p, docs) in enumerate(candidate_lists(query, positive, negative, False)):
        for n in docs:
            d = s(query[i], p) - s(query[i], n)
            terms.append(F.relu(margin - d) if kind == 'hinge' else -F.logsigmoid(scale * d))
    return torch.stack(terms).mean()


def pairwise_cases():
    hinge = [
        ('default margin 0.5, cosine', {}, triple()),
        ('dot similarity, margin 1', {'similarity': 'dot', 'margin': 1}, triple(g=4)),
        ('batch of one', {}, triple(b=1, g=2)),
    ]
    logistic = [
        ('default scale 1, cosine', {}, triple()),
        ('scale 20', {'scale': 20}, triple()),
        ('dot similarity', {'similarity': 'dot'}, triple(g=2)),
    ]
    out = [case(n, 'pairwise-hinge', o, lambda o=o, **x: pairwise_ref(**x, kind='hinge', margin=o.get('margin', 0.5), similarity=o.get('similarity', 'cosine')), i) for n, o, i in hinge]
    out += [case(n, 'pairwise-logistic', o, lambda o=o, **x: pairwise_ref(**x, kind='logistic', scale=o.get('scale', 1.0), similarity=o.get('similarity', 'cosine')), i) for n, o, i in logistic]
    return out


# ------------------------------------------------------------------ CoSENT (bojone/CoSENT) and AnglE (sentence-transformers)

def cosent_from_scores(scores, labels, scale):
    y_pred = scores * scale
    y_pred = y_pred[:, None] - y_pred[None, :]
    y_true = (labels[:, None] < labels[None, :]).to(torch.float64)
    y_pred = y_pred - (1 - y_true) * 1e12
    y_pred = torch.cat([torch.zeros(1, dtype=torch.float64), y_pred.view(-1)])
    return torch.logsumexp(y_pred, dim=0)


def pairwise_angle_sim(x, y):
    a, b = torch.chunk(x, 2, dim=1)
    c, d = torch.chunk(y, 2, dim=1)
    z = torch.sum(c ** 2 + d ** 2, dim=1, keepdim=True)
    re = (a * c + b * d) / z
    im = (b * c - a * d) / z
    dz = torch.sum(a ** 2 + b ** 2, dim=1, keepdim=True) ** 0.5
    dw = torch.sum(c ** 2 + d ** 2, dim=1, keepdim=True) ** 0.5
    re = re / (dz / dw)
    im = im / (dz / dw)
    return torch.abs(torch.sum(torch.cat((re, im), dim=1), dim=1))


def cosent_ref(query, positive, labels, scale=20.0, similarity='cosine'):
    scores = F.cosine_similarity(query, positive, dim=1) if similarity == 'cosine' else pairwise_angle_sim(query, positive)
    return cosent_from_scores(scores, labels.to(torch.float64), scale)


def scored_pairs(n, labels):
    return {'query': randn(n, D), 'positive': randn(n, D), 'labels': torch.tensor(labels, dtype=torch.float32).to(torch.float64)}


def cosent_cases():
    specs = [
        ('cosent', 'default scale 20, STS-style float labels', {}, scored_pairs(6, [4.2, 0.5, 3.0, 1.8, 5.0, 2.4])),
        ('cosent', 'binary labels with ties, scale 10', {'scale': 10}, scored_pairs(5, [1, 0, 1, 0, 0])),
        ('cosent', 'all labels equal: no ordered pair, loss 0', {}, scored_pairs(4, [2, 2, 2, 2])),
        ('cosent', 'angle similarity as a cosent option', {'similarity': 'angle'}, scored_pairs(5, [0.1, 0.9, 0.4, 0.7, 0.2])),
        ('cosent', 'batch of one', {}, scored_pairs(1, [3.0])),
        ('angle', 'default (angle score, scale 20)', {}, scored_pairs(6, [4.2, 0.5, 3.0, 1.8, 5.0, 2.4])),
        ('angle', 'scale 5', {'scale': 5}, scored_pairs(4, [1, 0, 0, 1])),
    ]
    out = []
    for loss, n, o, i in specs:
        sim = o.get('similarity', 'angle' if loss == 'angle' else 'cosine')
        out.append(case(n, loss, o, lambda o=o, sim=sim, **x: cosent_ref(**x, scale=o.get('scale', 20.0), similarity=sim), i))
    return out


# ------------------------------------------------------------------ ArcFace (insightface CombinedMarginLoss, arcface branch)

def arcface_ref(embeddings, labels, weight, scale=30.0, margin=0.5, easy_margin=False, label_smoothing=0.0, call_margin=None):
    cosine = F.linear(F.normalize(embeddings), F.normalize(weight))
    idx = torch.arange(embeddings.shape[0])
    m = margin
    if isinstance(m, list):
        m = torch.tensor(m, dtype=torch.float64)[labels]
    if call_margin is not None:
        m = call_margin
    m = torch.as_tensor(m, dtype=torch.float64)
    cos_m, sin_m = torch.cos(m), torch.sin(m)
    th, mm = torch.cos(math.pi - m), torch.sin(math.pi - m) * m
    target = cosine[idx, labels]
    sin_theta = torch.sqrt(1.0 - torch.pow(target, 2))
    cos_theta_m = target * cos_m - sin_theta * sin_m
    if easy_margin:
        final = torch.where(target > 0, cos_theta_m, target)
    else:
        final = torch.where(target > th, cos_theta_m, target - mm)
    logits = cosine.clone()
    logits[idx, labels] = final
    return F.cross_entropy(logits * scale, labels, label_smoothing=label_smoothing)


def arcface_cases():
    n, c = 6, 5
    labels = torch.tensor([0, 3, 1, 3, 4, 2])
    def inputs(**extra):
        return {'embeddings': randn(n, D), 'labels': labels, **extra}
    def params():
        # a near-miss centre for row 0's class pushes one cos θ past cos(π − m): the fallback branch
        w = randn(c, D)
        return {'weight': w}
    specs = [
        ('default scale 30, margin 0.5', {}, inputs()),
        ('easy margin', {'easyMargin': True}, inputs()),
        ('label smoothing 0.1, scale 16, margin 0.3', {'labelSmoothing': 0.1, 'scale': 16, 'margin': 0.3}, inputs()),
        ('per-class margins', {'margin': [0.1, 0.2, 0.3, 0.4, 0.5]}, inputs()),
        ('per-call margin 0.2', {}, inputs(margin=0.2)),
        ('per-call margins per example', {}, inputs(margin=torch.tensor([0.5, 0.1, 0.3, 0.2, 0.4, 0.25], dtype=torch.float32).to(torch.float64))),
        ('batch of one', {}, {'embeddings': randn(1, D), 'labels': torch.tensor([2])}),
    ]
    out = []
    for name, o, i in specs:
        def run(o=o, embeddings=None, labels=None, weight=None, margin=None):
            return arcface_ref(embeddings, labels, weight, scale=o.get('scale', 30.0), margin=o.get('margin', 0.5),
                               easy_margin=o.get('easyMargin', False), label_smoothing=o.get('labelSmoothing', 0.0),
                               call_margin=margin.detach() if isinstance(margin, torch.Tensor) else margin)
        p = params()
        if name == 'default scale 30, margin 0.5':
            # row 0's embedding almost opposite its class centre: θ > π − m takes insightface's fallback
            i['embeddings'][0] = (-p['weight'][0] + 0.05 * randn(D)).to(torch.float32).to(torch.float64)
        out.append(case(name, 'arcface', {**o, 'inFeatures': D, 'outFeatures': c}, run, i, p))
    return out


# ------------------------------------------------------------------ Matryoshka

def matryoshka_cases():
    dims, weights = [8, 4, 2], [1.0, 0.5, 0.25]
    def mrl(inner, dims, weights):
        def run(**x):
            total = 0
            for d, w in zip(dims, weights):
                total = total + w * inner(**{k: (v[..., :d] if k in ('query', 'positive', 'negative', 'embeddings') else v) for k, v in x.items()})
            return total / sum(weights)
        return run
    return [
        case('infonce (temperature 0.1) over [8, 4, 2], weights [1, 0.5, 0.25]', 'matryoshka',
             {'loss': {'name': 'infonce', 'temperature': 0.1}, 'dims': dims, 'weights': weights},
             mrl(lambda **x: infonce_ref(**x, temperature=0.1), dims, weights), triple()),
        case('cosent over [8, 6, 4], equal weights', 'matryoshka', {'loss': 'cosent', 'dims': [8, 6, 4]},
             mrl(lambda **x: cosent_ref(**x), [8, 6, 4], [1, 1, 1]), scored_pairs(5, [3, 1, 4, 1.5, 2])),
    ]


# ------------------------------------------------------------------ Distillation and listwise

def group_scores(query, positive, negative, similarity):
    b, d = query.shape
    docs = torch.cat([positive.unsqueeze(1), negative.view(b, -1, d)], dim=1)
    if similarity == 'cosine':
        return F.cosine_similarity(query.unsqueeze(1), docs, dim=-1)
    return torch.einsum('bd,bgd->bg', query, docs)


def kl_ref(teacherScores, query=None, positive=None, negative=None, scores=None, temperature=0.05, teacher_temperature=1.0, similarity='cosine'):
    s = scores if scores is not None else group_scores(query, positive, negative, similarity)
    return F.kl_div(F.log_softmax(s / temperature, dim=1), F.log_softmax(teacherScores / teacher_temperature, dim=1), reduction='batchmean', log_target=True)


def margin_mse_ref(query=None, positive=None, negative=None, scores=None, teacherScores=None, teacherMargins=None, similarity='dot', scale=1.0):
    s = scores if scores is not None else group_scores(query, positive, negative, similarity)
    student = scale * (s[:, :1] - s[:, 1:])
    teacher = teacherMargins if teacherMargins is not None else teacherScores[:, :1] - teacherScores[:, 1:]
    return F.mse_loss(student, teacher)


def listnet_ref(labels, query=None, positive=None, negative=None, scores=None, temperature=0.05, label_temperature=1.0, similarity='cosine'):
    s = scores if scores is not None else group_scores(query, positive, negative, similarity)
    return -(F.softmax(labels / label_temperature, dim=1) * F.log_softmax(s / temperature, dim=1)).sum(dim=1).mean()


def distill_cases():
    teacher = lambda b=B, g=G: randn(b, g, std=3.0)
    out = []
    kl = [
        ('default: cosine student τ 0.05, teacher τ 1', {}, {**triple(), 'teacherScores': teacher()}),
        ('dot student τ 1, teacher τ 2', {'similarity': 'dot', 'temperature': 1, 'teacherTemperature': 2}, {**triple(g=4), 'teacherScores': teacher(g=4)}),
        ('given student scores', {'temperature': 1}, {'scores': randn(B, G, std=2.0), 'teacherScores': teacher()}),
        ('batch of one', {}, {**triple(b=1), 'teacherScores': teacher(b=1)}),
    ]
    for n, o, i in kl:
        out.append(case(n, 'kl-distill', o, lambda o=o, **x: kl_ref(**x, temperature=o.get('temperature', 0.05), teacher_temperature=o.get('teacherTemperature', 1.0), similarity=o.get('similarity', 'cosine')), i))
    mm = [
        ('default: dot student, teacher scores', {}, {**triple(), 'teacherScores': teacher()}),
        ('cosine student scaled 10, teacher margins', {'similarity': 'cosine', 'scale': 10}, {**triple(g=4), 'teacherMargins': randn(B, 3, std=3.0)}),
        ('given student scores', {}, {'scores': randn(B, G, std=2.0), 'teacherScores': teacher()}),
    ]
    for n, o, i in mm:
        out.append(case(n, 'margin-mse', o, lambda o=o, **x: margin_mse_ref(**x, similarity=o.get('similarity', 'dot'), scale=o.get('scale', 1.0)), i))
    grades = lambda b=B, g=G: torch.randint(0, 4, (b, g), generator=gen).to(torch.float64)
    lw = [
        ('default: cosine τ 0.05, graded labels', {}, {**triple(g=4), 'labels': grades(g=4)}),
        ('dot, τ 2, label τ 0.5', {'similarity': 'dot', 'temperature': 2, 'labelTemperature': 0.5}, {**triple(), 'labels': grades()}),
        ('given scores', {'temperature': 1}, {'scores': randn(B, 5, std=2.0), 'labels': grades(g=5)}),
    ]
    for n, o, i in lw:
        out.append(case(n, 'listwise', o, lambda o=o, **x: listnet_ref(**x, temperature=o.get('temperature', 0.05), label_temperature=o.get('labelTemperature', 1.0), similarity=o.get('similarity', 'cosine')), i))
    return out


# ------------------------------------------------------------------ ColBERT MaxSim

def maxsim(q, qmask, d, dmask, per_query):
    """q [B, Tq, D], d [M, T, D] → [B, M] (all docs) or [B, M/B] (own docs)."""
    b = q.shape[0]
    if per_query:
        d = d.view(b, -1, d.shape[1], d.shape[2])
        sim = torch.einsum('bsh,bcth->bcst', q, d)
        if dmask is not None:
            sim = sim.masked_fill(~dmask.view(b, -1, 1, d.shape[2]), float('-inf'))
    else:
        sim = torch.einsum('bsh,cth->bcst', q, d)
        if dmask is not None:
            sim = sim.masked_fill(~dmask[None, :, None, :], float('-inf'))
    best = sim.max(-1).values  # [B, M, Tq]
    if qmask is not None:
        best = best * qmask[:, None, :].to(best.dtype)
    return best.sum(-1)


def colbert_ref(query, positive, negative=None, queryMask=None, positiveMask=None, negativeMask=None, temperature=1.0, inbatch=True, normalize=True):
    prep = (lambda t: F.normalize(t, dim=-1)) if normalize else (lambda t: t)
    q, p = prep(query), prep(positive)
    n = prep(negative) if negative is not None else None
    qm = queryMask.bool() if queryMask is not None else None
    pm = positiveMask.bool() if positiveMask is not None else None
    nm = negativeMask.bool() if negativeMask is not None else None
    if inbatch:
        scores = maxsim(q, qm, p, pm, False)
        if n is not None:
            scores = torch.cat([scores, maxsim(q, qm, n, nm, False)], dim=1)
        target = torch.arange(q.shape[0])
    else:
        scores = torch.cat([maxsim(q, qm, p, pm, True), maxsim(q, qm, n, nm, True)], dim=1)
        target = torch.zeros(q.shape[0], dtype=torch.long)
    return F.cross_entropy(scores / temperature, target)


def colbert_cases():
    def mask(rows, t, lengths):
        return torch.tensor([[1 if k < lengths[r] else 0 for k in range(t)] for r in range(rows)], dtype=torch.int64)
    def batch(b=B, g=G, tq=5, tp=6, tn=4, masks=True):
        x = {'query': randn(b, tq, D), 'positive': randn(b, tp, D)}
        if g > 1:
            x['negative'] = randn(b * (g - 1), tn, D)
        if masks:
            x['queryMask'] = mask(b, tq, [5, 3, 4, 5, 2, 5][:b])
            x['positiveMask'] = mask(b, tp, [6, 4, 2, 5, 6, 3][:b])
            if g > 1:
                x['negativeMask'] = mask(b * (g - 1), tn, [(r % 4) + 1 for r in range(b * (g - 1))])
        return x
    specs = [
        ('in-batch with hard negatives and masks', {}, batch()),
        ('in-batch without negatives, no masks, temperature 0.5', {'temperature': 0.5}, batch(g=1, masks=False)),
        ('own group only, masks', {'useInbatchNegative': False}, batch(g=3)),
        ('unnormalised tokens, temperature 4', {'normalize': False, 'temperature': 4}, batch()),
        ('batch of one', {}, batch(b=1)),
    ]
    return [case(n, 'colbert-maxsim', o, lambda o=o, **x: colbert_ref(**x, temperature=o.get('temperature', 1.0), inbatch=o.get('useInbatchNegative', True), normalize=o.get('normalize', True)), i) for n, o, i in specs]


FILES = {
    'infonce.json': infonce_cases,
    'simcse.json': simcse_cases,
    'triplet.json': triplet_cases,
    'pairwise.json': pairwise_cases,
    'cosent.json': cosent_cases,
    'arcface.json': arcface_cases,
    'matryoshka.json': matryoshka_cases,
    'distill.json': distill_cases,
    'colbert.json': colbert_cases,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', default=DEFAULT_OUT)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for name, make in FILES.items():
        cases = make()
        path = os.path.join(args.out, name)
        with open(path, 'w') as f:
            json.dump({'generator': 'tools/torch-refs/make_loss_refs.py', 'torch': torch.__version__, 'cases': cases}, f, separators=(',', ':'))
            f.write('\n')
        print(f'{path}: {len(cases)} cases, {os.path.getsize(path)} bytes; losses ' + ', '.join(f"{c['expected']['loss']:.6g}" for c in cases))


if __name__ == '__main__':
    main()
