"""Claims per second through the Python bindings against the `claimrules` binary, on the same
claims (docs/performance.md, "Python bindings").

    python benches/python_check.py [--claims N] [--threads T] [--bin target/release/claimrules]

Run it with an interpreter where `pip install ./python` installed the package (and pyarrow),
against a release build of the binary (`cargo build --release`). The claims are the sample
claims of examples/claims, each copied with new ids up to N. Timed, each the best of three runs:

- the binary: `claimrules check --format ndjson --threads T --quiet` over the claims as an NDJSON
  file, output to /dev/null, less the time of the same command over one claim (loading the packs),
  so that both sides count judging alone;
- `check_many` over the claims as JSON strings, results as JSON strings (`as_json=True`) and as
  dicts, and over the claims as dicts;
- `check_arrow` over the claims as a pyarrow Table (built before the clock starts).

It prints claims/s for each and its ratio to the binary's; the target for check_arrow is 0.7.
"""

import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import claimrules

ROOT = pathlib.Path(__file__).resolve().parents[1]


def sample_claims(count):
    """`count` claims: the sample claims of examples/claims, cycled, each with its own id."""
    samples = []
    for path in sorted((ROOT / "examples" / "claims").glob("*.json")):
        claim = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(claim, dict):
            # One Arrow type a column: charges as strings (the claim format takes either).
            for line in claim["lines"]:
                if line.get("charge") is not None:
                    line["charge"] = str(line["charge"])
            samples.append(claim)
    return [dict(samples[i % len(samples)], id=f"P-{i}") for i in range(count)]


def best_of(runs, fn):
    """The shortest of `runs` timings of `fn()`, in seconds."""
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=200_000)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--bin", default=str(ROOT / "target" / "release" / "claimrules"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    claims = sample_claims(args.claims)
    texts = [json.dumps(c) for c in claims]
    with tempfile.TemporaryDirectory() as tmp:
        many = pathlib.Path(tmp) / "claims.ndjson"
        many.write_text("".join(t + "\n" for t in texts), encoding="utf-8")
        one = pathlib.Path(tmp) / "one.ndjson"
        one.write_text(texts[0] + "\n", encoding="utf-8")

        def cli(path):
            with open(os.devnull, "wb") as sink:
                subprocess.run(
                    [args.bin, "check", "--format", "ndjson", "--threads", str(args.threads),
                     "--quiet", str(path)],
                    stdout=sink, check=False,
                )

        load = best_of(args.runs, lambda: cli(one))
        whole = best_of(args.runs, lambda: cli(many))
        cli_judging = max(whole - load, 1e-9)

    engine = claimrules.Engine()
    timings = {
        "check_many (JSON in and out)": best_of(
            args.runs, lambda: engine.check_many(texts, threads=args.threads, as_json=True)),
        "check_many (JSON strings)": best_of(
            args.runs, lambda: engine.check_many(texts, threads=args.threads)),
        "check_many (dicts)": best_of(
            args.runs, lambda: engine.check_many(claims, threads=args.threads)),
    }
    try:
        import pyarrow as pa
    except ImportError:
        print("pyarrow is not installed: check_arrow is not measured", file=sys.stderr)
    else:
        table = pa.Table.from_pylist(claims)
        timings["check_arrow (pyarrow Table)"] = best_of(
            args.runs, lambda: engine.check_arrow(table, threads=args.threads))

    n = args.claims
    print(f"{n} claims, {args.threads} thread(s), best of {args.runs}")
    print(f"{'claimrules check (binary)':<32} {n / cli_judging:>12,.0f} claims/s  "
          f"({cli_judging:.2f} s judging; {whole:.2f} s with {load:.2f} s of loading)")
    for name, took in timings.items():
        ratio = cli_judging / took
        print(f"{name:<32} {n / took:>12,.0f} claims/s  ({took:.2f} s)  {ratio:.2f}x the binary")
    arrow = timings.get("check_arrow (pyarrow Table)")
    if arrow is not None:
        ratio = cli_judging / arrow
        mark = "met" if ratio >= 0.7 else "NOT met"
        print(f"target check_arrow >= 0.7x the binary: {ratio:.2f}x, {mark}")


if __name__ == "__main__":
    main()
