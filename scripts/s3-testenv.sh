#!/usr/bin/env bash
# A local S3-compatible server for rcplan's backup tests: s3rver, from npm, at the version
# pinned below. tests/support/s3_server.hpp asks `path` where it is and starts it itself.
#
# Usage:
#   scripts/s3-testenv.sh install   install s3rver (once; cached), print its program's path
#   scripts/s3-testenv.sh path      print its program's path; exit 3 when it is not installed
#
# The package is cached under ${RCPLAN_CACHE_DIR:-~/.cache/rcplan}/s3rver/<version>, outside the
# checkout, so only the first `install` needs the npm registry. CI runs `install` before the
# tests; without it the S3 tests report themselves skipped (and fail when CI=true).
#
# Exit status 3 means s3rver cannot be installed or run here (no node or npm, or npm failed);
# the reason is printed on stderr.
set -euo pipefail

version=3.7.1

die() {
  echo "s3-testenv: $*" >&2
  exit 1
}

unavailable() {
  echo "s3-testenv: $*" >&2
  exit 3
}

cache_dir() { echo "${RCPLAN_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/rcplan}/s3rver/$version"; }

program() { echo "$(cache_dir)/node_modules/s3rver/bin/s3rver.js"; }

need_node() {
  command -v node >/dev/null || unavailable "node is not installed (apt-get install -y nodejs npm)"
}

cmd_path() {
  need_node
  [[ -f "$(program)" ]] || unavailable "s3rver $version is not installed: run scripts/s3-testenv.sh install"
  program
}

# Installs into a temporary directory and moves it into place, so that an interrupted install
# never looks like a finished one.
cmd_install() {
  need_node
  command -v npm >/dev/null || unavailable "npm is not installed (apt-get install -y npm)"
  if [[ -f "$(program)" ]]; then
    program
    return 0
  fi
  local dir tmp
  dir=$(cache_dir)
  tmp="$dir.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  echo "s3-testenv: installing s3rver $version into $dir (once)" >&2
  if ! npm install --prefix "$tmp" --no-audit --no-fund --no-save --loglevel=error "s3rver@$version" >&2; then
    rm -rf "$tmp"
    unavailable "npm install s3rver@$version failed (see above)"
  fi
  rm -rf "$dir"
  mv "$tmp" "$dir"
  program
}

case "${1:-}" in
  install) cmd_install ;;
  path) cmd_path ;;
  *) die "usage: $0 install|path" ;;
esac
