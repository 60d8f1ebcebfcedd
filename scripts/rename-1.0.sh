#!/usr/bin/env bash
# The 1.0 rename (see CHANGELOG.md): define* for definitions (defineFlatFeed...), create* for runtime
# objects. Renames the public factories everywhere (code, tests, bench, examples, scripts, docs).
#
#   bash scripts/rename-1.0.sh [repository root, default: the current directory]
#
# Idempotent: every pattern matches only the OLD name as a whole word (case-sensitive), and no new
# name contains an old one as a whole word (createMemoryStorage does not match \bmemoryStorage\b),
# so it can run again on a tree that has some or all renames applied (e.g. after merging branches
# written before the rename). Skips node_modules, dist, dist-check and .git, and CHANGELOG.md
# (which lists the old names on purpose). Afterwards run `npx biome check --write .` (longer names
# re-wrap some import lists) and `npx tsc -p tsconfig.json --noEmit`.
set -euo pipefail
cd "${1:-.}"

renames=(
  memoryStorage:createMemoryStorage
  redisStorage:createRedisStorage
  sqliteStorage:createSqliteStorage
  cassandraStorage:createCassandraStorage
  jsonSerializer:createJsonSerializer
  inlineQueue:createInlineQueue
  bullmqQueue:createBullmqQueue
  statsdMetrics:createStatsdMetrics
  openTelemetryMetrics:createOpenTelemetryMetrics
)

expr=''
grep_words=()
for pair in "${renames[@]}"; do
  old=${pair%%:*}
  new=${pair#*:}
  expr+="s/\\b${old}\\b/${new}/g; "
  grep_words+=(-e "\\b${old}\\b")
done

paths=()
for p in src test bench examples scripts docs README.md .ci; do
  [ -e "$p" ] && paths+=("$p")
done

# Files that mention an old name (text files only), then one in-place perl pass over them.
mapfile -t files < <(
  grep -rlIE "${grep_words[@]}" "${paths[@]}" \
    --exclude-dir=node_modules --exclude-dir=dist --exclude-dir=dist-check --exclude-dir=.git \
    --exclude=rename-1.0.sh --exclude=CHANGELOG.md \
    || true
)
if [ "${#files[@]}" -eq 0 ]; then
  echo "rename-surface: nothing to rename"
  exit 0
fi
perl -pi -e "$expr" "${files[@]}"
echo "rename-surface: ${#files[@]} file(s) rewritten"
