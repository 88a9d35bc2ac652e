#!/usr/bin/env bash
# Money is integer minor units: fails when `float` or `double` (or a floating literal
# suffix such as 1.5f) appears in the royalty engine's code, comments excluded. Run by
# scripts/test.sh, so CI catches it.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
for file in src/royalties/*.h src/royalties/*.cc; do
  # Strip // comments and string literals before looking, so prose may say "no floating point".
  hits=$(sed -e 's://.*$::' -e 's/"[^"]*"//g' "$file" |
    grep -nE '\b(float|double|long double)\b|\b[0-9]+\.[0-9]*[fF]\b|std::(stod|stof|strtod)\b' || true)
  if [ -n "$hits" ]; then
    echo "check_no_float: floating point in $file:"
    echo "$hits"
    status=1
  fi
done
[ $status -eq 0 ] && echo "check_no_float: src/royalties is free of floating point"
exit $status
