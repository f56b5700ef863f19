#!/usr/bin/env bash
# Mutation tests (Stryker.NET, a local tool in .config/dotnet-tools.json): mutates one shipped project, runs its
# test project against each mutant, and prints the score. Slow (hours for the whole runtime on two cores), so not
# part of .ci/run. Configurations: eng/stryker/<project>.json; reports: artifacts/mutation/<project>/.
#
#   eng/mutation.sh runtime                                         # one project
#   eng/mutation.sh all                                             # every project in turn
#   eng/mutation.sh runtime --mutate "**/Timeout/TimeoutCancellationSource.cs"   # one file (extra options go to Stryker)
#
# STRYKER_CONCURRENCY overrides the configured test sessions (1: the machine is shared). MUTATION_NICE sets the
# niceness (19 by default). On a loaded machine Stryker's project analysis may fail with "Could not find build
# environment" (its `dotnet --info` took too long): run again, or with MUTATION_NICE=0 and renice it once the
# initial test run has started.
set -euo pipefail
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

# project name -> test project directory (Stryker runs there and mutates the project named in the configuration).
declare -A test_dirs=(
  [runtime]=tests/Resilience.Tests
  [hosting]=tests/Resilience.Hosting.Tests
  [redis]=tests/Resilience.Redis.Tests
  [aspnetcore]=tests/Resilience.AspNetCore.Tests
  [generators]=tests/Resilience.Generators.Tests
  [analyzers]=tests/Resilience.Analyzers.Tests
)
order=(runtime hosting redis aspnetcore generators analyzers)

usage() {
  echo "usage: eng/mutation.sh <${order[*]// /|}|all> [stryker options...]" >&2
  exit 2
}

[ $# -ge 1 ] || usage
target="$1"
shift
if [ "$target" = all ]; then
  projects=("${order[@]}")
elif [ -n "${test_dirs[$target]+x}" ]; then
  projects=("$target")
else
  usage
fi

dotnet tool restore >/dev/null

status=0
summary=()
for project in "${projects[@]}"; do
  output="$root/artifacts/mutation/$project"
  log="$output/stryker.log"
  mkdir -p "$output"
  extra=()
  [ -z "${STRYKER_CONCURRENCY:-}" ] || extra+=(--concurrency "$STRYKER_CONCURRENCY")
  echo "== $project (${test_dirs[$project]}), log: ${log#"$root"/}"
  rc=0
  (cd "${test_dirs[$project]}" &&
    nice -n "${MUTATION_NICE:-19}" dotnet stryker --config-file "$root/eng/stryker/$project.json" --output "$output" \
      --skip-version-check "${extra[@]}" "$@") 2>&1 | tee "$log" || rc=$?
  [ "$rc" -eq 0 ] || status=$rc
  score=$(grep -o 'The final mutation score is [0-9.]* %' "$log" | tail -n 1 | sed 's/The final mutation score is //')
  summary+=("$project: ${score:-no score (see the log)}")
done

echo
echo "Mutation scores ($(date -u +%Y-%m-%d)):"
printf '  %s\n' "${summary[@]}"
exit "$status"
