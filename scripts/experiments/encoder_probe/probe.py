"""Linear probes on frozen features of held-out pieces (exploratory, 2026-11-30).

Same protocol for every feature set: outer splits by piece (stratified 70/30, seeds 0..S-1);
inside each training split only, 3-fold CV (grouped by piece for excerpts) picks the
regularisation C of a multinomial logistic regression on standardised features and, where the
encoder offers several, the pooling; refit on the whole training split; accuracy on the test
pieces (or their excerpts). Reports mean ± sd over splits and the paired difference to each
pre-trained encoder.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold
from sklearn.preprocessing import StandardScaler

ROOT = Path(__file__).resolve().parents[3]  # the repository root
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))
from exp import load_pieces, neutralise

from etude.encoders.evaluation import handcrafted_features
from etude.encoders.octuple import BAR

warnings.filterwarnings("ignore")
CS = (0.003, 0.03, 0.3, 3.0)
FOLK4 = ("essenFolksong", "oneills1850", "airdsAirs", "ryansMammoth")
NOT_COMPOSER = {
    "essenFolksong",
    "oneills1850",
    "airdsAirs",
    "ryansMammoth",
    "miscFolk",
    "nottingham-dataset",
    "demos",
    "theoryExercises",
    "leadSheet",
}
# piece poolings: 0 layer-0 mean, 1 mid mean, 2 last mean, 3 last bar-mean (tool), 4 last std
POOLS_PIECE = {"tool": [3], "mid": [1], "mean+std": [2, 4]}
POOLS_EX = {"tool": [0], "mid": [1]}


def fit_eval(xtr, ytr, xte, C):
    sc = StandardScaler().fit(xtr)
    m = LogisticRegression(C=C, max_iter=300, tol=1e-3).fit(sc.transform(xtr), ytr)
    return m.predict(sc.transform(xte))


def run_split(pools, y, groups, train_g, test_g, seed):
    """pools: name -> (n, d) features. Returns test accuracy and the chosen (pool, C)."""
    tr = np.isin(groups, train_g)
    te = np.isin(groups, test_g)
    ytr, gtr = y[tr], groups[tr]
    if len(np.unique(gtr)) == len(gtr):
        folds = list(StratifiedKFold(3, shuffle=True, random_state=seed).split(gtr, ytr))
    else:
        folds = list(StratifiedGroupKFold(3, shuffle=True, random_state=seed).split(gtr, ytr, gtr))
    best, choice = -1.0, None
    for pname, x in pools.items():
        xtr = x[tr]
        for C in CS:
            acc = np.mean(
                [(fit_eval(xtr[a], ytr[a], xtr[b], C) == ytr[b]).mean() for a, b in folds]
            )
            if acc > best + 1e-9:
                best, choice = acc, (pname, C)
    pred = fit_eval(pools[choice[0]][tr], ytr, pools[choice[0]][te], choice[1])
    return float((pred == y[te]).mean()), choice


def outer_splits(piece_labels: dict[int, int], n_splits):
    """Stratified 70/30 split of pieces, per seed."""
    out = []
    pieces = np.array(sorted(piece_labels))
    lab = np.array([piece_labels[p] for p in pieces])
    for s in range(n_splits):
        rng = np.random.default_rng(1000 + s)
        tr, te = [], []
        for c in np.unique(lab):
            idx = rng.permutation(pieces[lab == c])
            cut = int(round(len(idx) * 0.7))
            tr += list(idx[:cut])
            te += list(idx[cut:])
        out.append((np.array(tr), np.array(te)))
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--held")
    p.add_argument("--feats", nargs="+", help="label=path.npz")
    p.add_argument("--splits", type=int, default=10)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--variants", nargs="+", default=["orig", "neut"])
    p.add_argument("--tasks", nargs="+", default=None)
    p.add_argument("--fixed-pool", action="store_true")
    p.add_argument("--out", default=None)
    p.add_argument("--cap", type=int, default=100)
    p.add_argument("--ex-cap", type=int, default=8)
    p.add_argument("--packed", action="store_true")
    p.add_argument("--essen", action="store_true")
    a = p.parse_args()
    held = load_pieces(a.held)
    colls = np.array([c for _, c, _ in held])
    import re

    sub = np.array(
        [
            ("essen:" + re.sub(r"\d*\.abc$", "", n.split("#")[0])) if c == "essenFolksong" else c
            for n, c, _ in held
        ]
    )
    if a.essen:
        colls = sub
    shifts = np.random.default_rng(123).integers(-6, 6, size=len(held))
    feats = {}
    for spec in a.feats:
        lab, path = spec.split("=")
        if ":" in path:
            path, prefix = path.split(":")
            d = np.load(path)
            feats[lab] = {k.split("__", 1)[1]: d[k] for k in d.files if k.startswith(prefix + "__")}
        else:
            feats[lab] = np.load(path)
    if a.packed:
        POOLS_PIECE.clear()
        POOLS_PIECE.update({"tool": [1], "mid": [0], "mean+std": [1, 2]})
    counts = Counter(colls)
    rng = np.random.default_rng(0)

    def capped(classes):
        idx = []
        for c in classes:
            ii = np.flatnonzero(colls == c)
            idx += list(rng.permutation(ii)[: a.cap]) if len(ii) > a.cap else list(ii)
        return np.array(sorted(idx))

    composers = sorted(
        c
        for c, n in counts.items()
        if c not in NOT_COMPOSER and n >= int(__import__("os").environ.get("MINC", 8))
    )
    biggish = sorted(
        c for c, n in counts.items() if n >= 10 and c not in {"demos", "theoryExercises"}
    )
    tasks = {
        "folk4": ("piece", FOLK4),
        "folk4+bach": ("piece", FOLK4 + ("bach",)),
        "collections>=10": ("piece", tuple(biggish)),
        "composer(piece)": ("piece", tuple(composers)),
        "composer(8-bar excerpts)": ("ex", tuple(composers)),
    }
    if a.essen:
        essen = tuple(
            sorted(c for c, n in Counter(colls).items() if c.startswith("essen:") and n >= 40)
        )
        tasks = {"essen sub-collection": ("piece", essen)}
    if a.tasks:
        tasks = {k: v for k, v in tasks.items() if k in a.tasks}
    print("held-out pieces per collection:", dict(counts.most_common()))
    results = {}
    for variant in a.variants:
        toks = [
            t.astype(np.int64) if variant == "orig" else neutralise(t, int(s))
            for (_, _, t), s in zip(held, shifts)
        ]
        hand_piece = np.stack([handcrafted_features(t) for t in toks])
        for task, (level, classes) in tasks.items():
            lab = {c: k for k, c in enumerate(sorted(classes))}
            if level == "piece":
                idx = capped(classes)
                y = np.array([lab[colls[i]] for i in idx])
                groups = idx
                sets = {"hand-made": {"hand": hand_piece[idx]}}
                for enc, f in feats.items():
                    P = f[f"{variant}_piece"].astype(np.float32)[idx]
                    pools = {k: P[:, v].reshape(len(idx), -1) for k, v in POOLS_PIECE.items()}
                    sets[enc] = {"tool": pools["tool"]} if a.fixed_pool else pools
            else:
                f0 = next(iter(feats.values()))
                ep, ec = f0[f"{variant}_ex_piece"], f0[f"{variant}_ex_chunk"]
                keep = np.isin(colls[ep], classes)
                # at most ex-cap excerpts per piece (seeded), so long pieces don't dominate
                sel = []
                for pi in np.unique(ep[keep]):
                    rows = np.flatnonzero(keep & (ep == pi))
                    sel += list(np.random.default_rng(int(pi)).permutation(rows)[: a.ex_cap])
                sel = np.array(sorted(sel))
                groups = ep[sel]
                y = np.array([lab[colls[g]] for g in groups])
                hand = []
                for r in sel:
                    t = toks[ep[r]]
                    m = (t[:, BAR] // 8) == ec[r]
                    hand.append(handcrafted_features(t[m]))
                sets = {"hand-made": {"hand": np.stack(hand)}}
                for enc, f in feats.items():
                    assert (f[f"{variant}_ex_piece"] == ep).all()
                    E = f[f"{variant}_ex"].astype(np.float32)[sel]
                    pools = {k: E[:, v].reshape(len(sel), -1) for k, v in POOLS_EX.items()}
                    sets[enc] = {"tool": pools["tool"]} if a.fixed_pool else pools
            piece_labels = {int(g): int(yy) for g, yy in zip(groups, y)}
            splits = outer_splits(piece_labels, a.splits)
            jobs = [(enc, s) for enc in sets for s in range(a.splits)]
            out = Parallel(n_jobs=a.jobs)(
                delayed(run_split)(sets[enc], y, groups, splits[s][0], splits[s][1], s)
                for enc, s in jobs
            )
            accs = {enc: [] for enc in sets}
            choices = {enc: [] for enc in sets}
            for (enc, s), (acc, ch) in zip(jobs, out):
                accs[enc].append(acc)
                choices[enc].append(f"{ch[0]}/C={ch[1]}")
            key = f"{task} [{variant}]"
            n_pieces = len(piece_labels)
            chance = Counter(y.tolist()).most_common(1)[0][1] / len(y)
            results[key] = {
                "n_pieces": n_pieces,
                "n_items": len(y),
                "classes": {
                    str(c): int(sum(1 for g in piece_labels if colls[g] == c)) for c in classes
                },
                "majority": chance,
                "acc": accs,
                "choices": {k: dict(Counter(v)) for k, v in choices.items()},
            }
            print(
                f"\n{key}: {n_pieces} pieces, {len(y)} items, majority {chance:.1%}, {a.splits} splits"
            )
            for enc, v in accs.items():
                print(
                    f"  {enc:22} {np.mean(v):6.1%} ± {np.std(v, ddof=1):5.1%}   pools/C: {dict(Counter(choices[enc]).most_common(3))}"
                )
            isbase = lambda e: e.startswith("random") or e == "hand-made"
            for enc in accs:
                if not isbase(enc):
                    for base in accs:
                        if isbase(base):
                            d = np.array(accs[enc]) - np.array(accs[base])
                            print(
                                f"    {enc} - {base}: {d.mean():+.1%} ± {d.std(ddof=1):.1%} (paired), wins {int((d > 0).sum())}/{len(d)}"
                            )
            sys.stdout.flush()
    if a.out:
        Path(a.out).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
