import json
import sys

import numpy as np

for path in sys.argv[1:]:
    r = json.load(open(path))
    print(f"\n### {path}\n")
    encs = [
        e
        for e in ["shipped", "A2", "random4", "random4s1", "random4s2", "random8", "hand-made"]
        if e in next(iter(r.values()))["acc"]
    ]
    rand = [e for e in encs if e.startswith("random")]
    print(
        "| task [tokens] | n pieces (items) | "
        + " | ".join(encs)
        + " | A2 − best baseline mean | A2 − each baseline, paired mean ± sd (wins/10) |"
    )
    print("|---|---|" + "---|" * (len(encs) + 2))
    for task, v in r.items():
        acc = v["acc"]
        cells = [f"{np.mean(acc[e]):.1%} ± {np.std(acc[e], ddof=1):.1%}" for e in encs]
        base = rand + ["hand-made"]
        best = max(base, key=lambda e: np.mean(acc[e]))
        margin = np.mean(acc["A2"]) - np.mean(acc[best])
        maxsd = max(np.std(acc[e], ddof=1) for e in ["A2", best])
        ds = []
        for b in base:
            x = np.array(acc["A2"]) - np.array(acc[b])
            ds.append(f"{b}: {x.mean():+.1%}±{x.std(ddof=1):.1%} ({int((x > 0).sum())})")
        flag = "**>sd**" if margin > maxsd else ""
        print(
            f"| {task} | {v['n_pieces']} ({v['n_items']}) | "
            + " | ".join(cells)
            + f" | {margin:+.1%} vs {best} (sd {maxsd:.1%}) {flag} | "
            + "; ".join(ds)
            + " |"
        )
