#!/usr/bin/env python3
"""Reference values for @retrievals/trainer's evaluation metrics.

IR metrics (accuracy, precision, recall, MRR, nDCG, MAP at k) are computed here from their textbook
definitions, written independently of the TypeScript (ranking = sort by (-score, doc index);
nDCG's ideal DCG over ALL relevant documents, linear gain; MAP@k as sentence-transformers:
sum of precision@i at relevant ranks i <= k over min(k, #relevant)). Pearson and Spearman come
from scipy.stats (average ranks for ties).

Run with a python3 that has numpy and scipy (pyenv's on this machine; Debian's /usr/bin/python3
has neither):  python3 tools/torch-refs/make_ir_metric_refs.py [--out DIR]
Writes packages/trainer/test/refs/eval_metrics.json (deterministic).
"""
import argparse
import json
import math
import os
import random

import numpy as np
import scipy
from scipy import stats

KS = [1, 3, 5, 10, 100]


def rank(scores, exclude):
    docs = [j for j in range(len(scores)) if j not in exclude]
    return sorted(docs, key=lambda j: (-scores[j], j))


def dcg(gains):
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains))


def query_metrics(ranking, grades, k):
    """grades: {doc index: grade > 0}"""
    top = ranking[:k]
    rel = [grades.get(j, 0) for j in top]
    hits = [1 if g > 0 else 0 for g in rel]
    n_rel = len(grades)
    first = next((i + 1 for i, h in enumerate(hits) if h), None)
    precisions_at_hits = [sum(hits[: i + 1]) / (i + 1) for i, h in enumerate(hits) if h]
    ideal = sorted(grades.values(), reverse=True)[:k]
    return {
        f"accuracy@{k}": 1.0 if any(hits) else 0.0,
        f"precision@{k}": sum(hits) / k,
        f"recall@{k}": sum(hits) / n_rel,
        f"mrr@{k}": 1.0 / first if first else 0.0,
        f"ndcg@{k}": dcg(rel) / dcg(ideal),
        f"map@{k}": sum(precisions_at_hits) / min(k, n_rel),
    }


def ir_case(name, scores, qrels, exclude=None):
    """scores: list of rows; qrels: list (per query) of {doc index: grade}; exclude: per query list of doc indices."""
    nq, nd = len(scores), len(scores[0])
    exclude = exclude or [[] for _ in range(nq)]
    sums, n = {}, 0
    for q in range(nq):
        grades = {j: g for j, g in qrels[q].items() if g > 0}
        if not grades:
            continue
        ranking = rank(scores[q], set(exclude[q]))
        for k in KS:
            for m, v in query_metrics(ranking, grades, k).items():
                sums[m] = sums.get(m, 0.0) + v
        n += 1
    return {
        "name": name,
        "scores": [float(x) for row in scores for x in row],
        "queries": nq,
        "docs": nd,
        "qrels": [{str(j): g for j, g in r.items()} for r in qrels],
        "exclude": exclude,
        "ks": KS,
        "evaluated": n,
        "metrics": {m: v / n for m, v in sums.items()},
    }


def corr_case(name, x, y):
    return {"name": name, "x": [float(v) for v in x], "y": [float(v) for v in y],
            "pearson": float(stats.pearsonr(x, y)[0]), "spearman": float(stats.spearmanr(x, y)[0])}


def main():
    ap = argparse.ArgumentParser()
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap.add_argument("--out", default=os.path.join(root, "packages/trainer/test/refs"))
    out = ap.parse_args().out
    rng = random.Random(20261202)
    nrng = np.random.default_rng(20261202)

    ir = [
        # q0: relevant docs 1 (grade 2) and 3 (grade 1), 3 ranked last; q1: one relevant at rank 2,
        # a tie at the top broken by corpus order; q2: no relevant document (left out).
        ir_case("hand-made graded", [[0.1, 0.9, 0.5, -0.2, 0.3], [0.7, 0.7, 0.2, 0.1, 0.0], [0.5, 0.4, 0.3, 0.2, 0.1]],
                [{1: 2, 3: 1}, {1: 1}, {}]),
        # the query's own text is doc 0 (top score): excluded, doc 2 becomes rank 1
        ir_case("hand-made identical text excluded", [[0.99, 0.2, 0.8, 0.1]], [{2: 1, 3: 3}], [[0]]),
    ]
    for c in range(3):
        nq, nd = 15 + c * 5, 40 + 20 * c
        scores = [[round(rng.uniform(-1, 1), 2) for _ in range(nd)] for _ in range(nq)]  # 2 decimals: ties
        qrels = []
        for q in range(nq):
            r = {}
            for j in rng.sample(range(nd), rng.randint(0, 6)):
                r[j] = rng.choice([0, 1, 1, 2, 3])
            qrels.append(r)
        exclude = [[rng.randrange(nd)] if rng.random() < 0.3 else [] for _ in range(nq)]
        ir.append(ir_case(f"random {c}", scores, qrels, exclude))

    corr = [
        corr_case("hand-made with ties", [0.1, 0.4, 0.4, 0.9, 0.3, 0.3, 0.3], [1, 2, 3, 5, 2, 2, 0]),
        corr_case("perfect inverse", [1, 2, 3, 4], [8, 6, 4, 2]),
    ]
    for c in range(3):
        n = 30 + 20 * c
        x = np.round(nrng.normal(size=n), 1)
        y = np.round(0.6 * x + nrng.normal(size=n), 0)  # heavy ties on y
        corr.append(corr_case(f"random {c}", x, y))

    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "eval_metrics.json"), "w") as f:
        json.dump({"generator": f"make_ir_metric_refs.py (numpy {np.__version__}, scipy {scipy.__version__})", "ir": ir, "correlation": corr}, f)
        f.write("\n")


if __name__ == "__main__":
    main()
