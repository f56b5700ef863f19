#!/usr/bin/env bash
# How many permits one redis-server hands out a second with this package's rate-limit scripts: the scripts are taken
# from src/Resilience.Redis/RateLimitScripts.cs, loaded into a redis-server of its own (no persistence), and run by
# redis-benchmark with 32 connections over 100 000 users limited to 100 an hour each, so that every call is one
# script run. Prints the rate, the median latency and Redis' own time per script for each algorithm.
# Needs redis-server, redis-cli and redis-benchmark (Debian: apt-get install redis-server). Usage: redis-sizing.sh [port]
set -euo pipefail
cd "$(dirname "$0")/../.."
port="${1:-6419}"
work="$(mktemp -d)"
trap 'redis-cli -p "$port" SHUTDOWN NOSAVE >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

python3 - "$work" <<'PY'
import pathlib, re, sys
text = pathlib.Path("src/Resilience.Redis/RateLimitScripts.cs").read_text()
for name in ("SlidingWindow", "FixedWindow", "TokenBucket"):
    body = re.search(r'public const string ' + name + r' = """\n(.*?)\n\s*""";', text, re.S).group(1)
    lines = [line[8:] if line.startswith(" " * 8) else line for line in body.splitlines()]
    pathlib.Path(sys.argv[1], name + ".lua").write_text("\n".join(lines) + "\n")
PY

redis-server --port "$port" --save "" --appendonly no --daemonize yes --logfile "$work/redis.log"
until redis-cli -p "$port" PING >/dev/null 2>&1; do sleep 0.1; done
redis-server --version
for name in SlidingWindow FixedWindow TokenBucket; do
  sha=$(redis-cli -p "$port" SCRIPT LOAD "$(cat "$work/$name.lua")")
  redis-cli -p "$port" FLUSHALL >/dev/null
  redis-cli -p "$port" CONFIG RESETSTAT >/dev/null
  rate=$(redis-benchmark -p "$port" -n 200000 -c 32 -r 100000 -q EVALSHA "$sha" 1 "rl:$name:{user:__rand_int__}" 100 3600000 1 "m:__rand_int__" 2>&1 \
    | tr '\r' '\n' | grep 'requests per second' | sed 's/.*: \([0-9.]* requests per second.*\)/\1/')
  usec=$(redis-cli -p "$port" INFO commandstats | grep '^cmdstat_evalsha:' | sed 's/.*usec_per_call=\([0-9.]*\).*/\1/')
  memory=$(redis-cli -p "$port" INFO memory | grep '^used_memory_human:' | cut -d: -f2 | tr -d '\r')
  echo "$name: $rate; Redis' time per script ${usec} µs; $(redis-cli -p "$port" DBSIZE) keys, ${memory}"
done
