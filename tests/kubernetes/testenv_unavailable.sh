#!/usr/bin/env bash
# scripts/kube-testenv.sh without a usable Go: exit status 3, the reason on stderr and in
# DIR/unavailable (what the Kubernetes tests then report), for a missing and for an old Go.
set -euo pipefail
script="$1/scripts/kube-testenv.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

check() {
  local name=$1 expected=$2 status=0
  "$script" up "$work/$name" 2>"$work/$name.err" >/dev/null || status=$?
  if [[ $status -ne 3 ]]; then
    echo "$name: exit status $status, expected 3" >&2
    cat "$work/$name.err" >&2
    exit 1
  fi
  grep -q "$expected" "$work/$name.err" || { echo "$name: stderr lacks '$expected'" >&2; exit 1; }
  grep -q "$expected" "$work/$name/unavailable" || { echo "$name: DIR/unavailable lacks '$expected'" >&2; exit 1; }
  [[ ! -e "$work/$name/kube-apiserver.pid" ]] || { echo "$name: something was started" >&2; exit 1; }
}

RCPLAN_GO="$work/no-such-go" check missing "no Go toolchain found"
printf '#!/bin/sh\n[ "$1 $2" = "env GOVERSION" ] && echo go1.20.1\n' >"$work/old-go"
chmod +x "$work/old-go"
RCPLAN_GO="$work/old-go" check old "Go 1.20.1 at $work/old-go is too old"
echo "ok: both reported as unavailable"
