import json
import sys

import numpy as np

for path in sys.argv[1:]:
    r = json.load(open(path))
    print(f"\n### {path}\n")
    encs = ["shipped", "A2", "random4", "random8", "hand-made"]
    print(
        "| task [tokens] | n pieces (items) | classes | majority | "
        + " | ".join(encs)
        + " | A2−random4 (paired) | A2−random8 | A2−hand | shipped−random4 |"
    )
    print("|---|---|---|---|" + "---|" * (len(encs) + 4))
    for task, v in r.items():
        acc = v["acc"]
        cells = [f"{np.mean(acc[e]):.1%} ± {np.std(acc[e], ddof=1):.1%}" for e in encs]

        def d(a, b):
            x = np.array(acc[a]) - np.array(acc[b])
            return f"{x.mean():+.1%} ± {x.std(ddof=1):.1%} ({int((x > 0).sum())}/{len(x)})"

        print(
            f"| {task} | {v['n_pieces']} ({v['n_items']}) | {len(v['classes'])} | {v['majority']:.1%} | "
            + " | ".join(cells)
            + f" | {d('A2', 'random4')} | {d('A2', 'random8')} | {d('A2', 'hand-made')} | {d('shipped', 'random4')} |"
        )
