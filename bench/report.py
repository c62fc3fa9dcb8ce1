"""Print the results table of a bench/run.sh run (markdown): python bench/report.py bench/results/<run>."""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from pathlib import Path


def main(run: Path) -> None:
    rows = [json.loads(line) for line in (run / "load.jsonl").read_text().splitlines() if line.strip()]
    ceiling = {}
    if (run / "ceiling.txt").exists():
        for m in re.finditer(r"clients=(\d+) tps=([\d.]+)", (run / "ceiling.txt").read_text()):
            ceiling[int(m.group(1))] = float(m.group(2))
    rss: dict[str, int] = defaultdict(int)
    if (run / "rss_samples.txt").exists():
        for line in (run / "rss_samples.txt").read_text().splitlines():
            parts = line.split()
            if len(parts) == 3:
                rss[parts[0]] = max(rss[parts[0]], int(parts[2]))
    floor = {r["clients"]: r["rps"] for r in rows if r["scenario"] == "typename"}

    print((run / "machine.txt").read_text().strip().replace("\n", "  \n"))
    print()
    print(
        "| scenario | clients | req/s | p50 ms | p95 ms | p99 ms | ok | refused | errors | ÷ ceiling | ÷ trivial query |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        c = r["clients"]
        sale = r["scenario"].startswith("createSale")
        to_ceiling = f"{r['rps'] / ceiling[c]:.0%}" if sale and ceiling.get(c) else ""
        to_floor = f"{r['rps'] / floor[c]:.0%}" if r["scenario"] != "typename" and floor.get(c) else ""
        print(
            f"| {r['scenario']} | {c} | {r['rps']:.1f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['p99_ms']:.1f} "
            f"| {r['ok']} | {r['refused']} | {r['errors']} | {to_ceiling} | {to_floor} |"
        )
    print()
    if ceiling:
        print(
            "Ceiling (pgbench, minimal SQL of a 3-line sale): "
            + ", ".join(f"{c} clients {t:.0f} tps" for c, t in sorted(ceiling.items()))
        )
    if rss:
        print(
            "Gunicorn worker max RSS: "
            + ", ".join(f"pid {pid} {kb / 1024:.0f} MB" for pid, kb in sorted(rss.items()))
        )
    by = {(r["scenario"], r["clients"]): r for r in rows}
    print()
    print("Targets (8 clients):")
    checks = []
    s3, t8 = by.get(("createSale3", 8)), by.get(("typename", 8))
    if s3 and t8:
        checks.append(
            (
                f"createSale 3 lines >= 50% of trivial query: {s3['rps'] / t8['rps']:.0%}",
                s3["rps"] >= 0.5 * t8["rps"],
            )
        )
        checks.append((f"createSale 3 lines p99 < 100 ms: {s3['p99_ms']:.1f} ms", s3["p99_ms"] < 100))
        errors = sum(r["errors"] for r in rows)
        checks.append((f"zero errors (all scenarios, all client counts): {errors}", errors == 0))
    pbc = by.get(("productByCode", 8))
    if pbc:
        checks.append((f"productByCode p99 < 20 ms: {pbc['p99_ms']:.1f} ms", pbc["p99_ms"] < 20))
    if rss:
        top = max(rss.values()) / 1024
        checks.append((f"worker RSS < 150 MB: {top:.0f} MB", top < 150))
    if (run / "verify.txt").exists():
        text = (run / "verify.txt").read_text()
        checks.append(
            (
                "verify (no negative stock, no lost sale, check_ledgers): " + text.splitlines()[0],
                "FAILED" not in text,
            )
        )
    for label, passed in checks:
        print(f"- [{'x' if passed else ' '}] {label}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
