#!/usr/bin/env python3
"""Lists the mutants no test killed (survived, or not covered by any test) from a Stryker.NET JSON report, file by
file, with the line, the mutator and the replacement, after the counts of every status.

    eng/mutation-survivors.py                                   # the runtime's last report
    eng/mutation-survivors.py artifacts/mutation/analyzers/reports/mutation-report.json
"""
import json
import os
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "artifacts/mutation/runtime/reports/mutation-report.json")
if not os.path.exists(path):
    sys.exit(f"No report at {path}: run eng/mutation.sh first.")

with open(path, encoding="utf-8") as report:
    files = json.load(report)["files"]

tested = ("Killed", "Timeout", "Survived", "NoCoverage")
for name, data in sorted(files.items()):
    counts = {}
    for mutant in data["mutants"]:
        counts[mutant["status"]] = counts.get(mutant["status"], 0) + 1
    total = sum(counts.get(status, 0) for status in tested)
    if total == 0:
        continue
    detected = counts.get("Killed", 0) + counts.get("Timeout", 0)
    print(f"{os.path.relpath(name, root)}: {100.0 * detected / total:.1f} % "
          + ", ".join(f"{status} {counts.get(status, 0)}" for status in tested))
    lines = data["source"].split("\n")
    for mutant in sorted(data["mutants"], key=lambda m: m["location"]["start"]["line"]):
        if mutant["status"] in ("Survived", "NoCoverage"):
            line = mutant["location"]["start"]["line"]
            print(f"  {mutant['status']:<10} line {line}, {mutant['mutatorName']}: "
                  f"{lines[line - 1].strip()[:100]}  ->  {mutant.get('replacement', '')[:80]}")
