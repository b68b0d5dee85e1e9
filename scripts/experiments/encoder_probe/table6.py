"""Six-task table and the pre-registered criterion for C6 (exp. 6)."""

import json
import sys

import numpy as np

TASKS = [f"{t} [{v}]" for v in ("orig", "neut") for t in ("folk4", "folk4+bach", "collections>=10")]
BASE = ["random4", "random4s1", "random4s2", "random8", "hand-made"]
for path in sys.argv[1:]:
    r = json.load(open(path))
    encs = ["C6", "shipped", "A2"] + BASE
    print(f"\n### {path}\n")
    print(
        "| task [tokens] | n pieces | "
        + " | ".join(encs)
        + " | best baseline | C6 − best (vs its sd) | clear win? | C6 − each baseline / shipped / A2, paired mean ± sd (wins/10) |"
    )
    print("|---|---|" + "---|" * (len(encs) + 4))
    wins = below = 0
    for task in TASKS:
        acc = {e: np.array(v) for e, v in r[task]["acc"].items()}
        m = {e: acc[e].mean() for e in encs}
        sd = {e: acc[e].std(ddof=1) for e in encs}
        best = max(BASE, key=lambda e: m[e])
        margin = m["C6"] - m[best]
        win = margin > sd[best]
        wins += win
        below += margin < 0
        ds = []
        for b in BASE + ["shipped", "A2"]:
            d = acc["C6"] - acc[b]
            ds.append(f"{b}: {d.mean():+.1%}±{d.std(ddof=1):.1%} ({int((d > 0).sum())})")
        print(
            f"| {task} | {r[task]['n_pieces']} | "
            + " | ".join(f"{m[e]:.1%} ± {sd[e]:.1%}" for e in encs)
            + f" | {best} | {margin:+.1%} (sd {sd[best]:.1%}) | {'yes' if win else ('BELOW' if margin < 0 else 'no')} | "
            + "; ".join(ds)
            + " |"
        )
    print(
        f"\nclear wins: {wins}/6, tasks below best baseline: {below} -> criterion {'MET' if wins >= 4 and below == 0 else 'NOT met'}"
    )
