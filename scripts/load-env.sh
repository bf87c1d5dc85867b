#!/usr/bin/env bash
# Sourced: exports the settings of an env file (default .env) that the environment does not already set.
# A variable set in the environment wins over the file, for every setting (as with `node --env-file`).
# Usage: . scripts/load-env.sh [FILE]
__env_file=${1:-.env}
while IFS= read -r __line || [ -n "$__line" ]; do
  case "$__line" in '' | '#'*) continue ;; esac
  __key=${__line%%=*}
  [[ $__key =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || continue
  [ -n "${!__key+set}" ] && continue
  __val=${__line#*=}
  if [[ $__val =~ ^\"(.*)\"$ || $__val =~ ^\'(.*)\'$ ]]; then __val=${BASH_REMATCH[1]}; fi
  export "$__key=$__val"
done <"$__env_file"
unset __env_file __line __key __val
