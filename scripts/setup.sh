#!/usr/bin/env bash
# Installs what building and testing xentropy needs, and says what it does:
#   Emscripten (to build); Chromium (browser tests) and clang-format (lint), only with `setup.sh test`;
#   and the node modules.
# On Debian/Ubuntu as root (or with passwordless sudo) it installs missing system packages with apt;
# elsewhere it stops and prints the command to run.
set -euo pipefail
cd "$(dirname "$0")/.."
purpose="${1:-build}"

say() { echo "setup: $*"; }

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 18 ]; then
  say "Node.js >= 18 is required, found $(node --version). Install a current Node.js LTS." >&2
  exit 1
fi

missing=()
command -v emcc >/dev/null 2>&1 || missing+=(emscripten)
if [ "$purpose" = test ] && [ ! -x /usr/bin/chromium ]; then missing+=(chromium); fi
if [ "$purpose" = test ] && ! command -v clang-format >/dev/null 2>&1; then missing+=(clang-format); fi

if [ ${#missing[@]} -gt 0 ]; then
  cmd="apt-get install -y -o DPkg::Lock::Timeout=600 ${missing[*]}"
  if ! command -v apt-get >/dev/null 2>&1; then
    say "missing: ${missing[*]}. This is not a Debian-like system: install Emscripten 3.1.x (emcc on PATH)" >&2
    [ "$purpose" = test ] && say "and Chromium at /usr/bin/chromium for the browser tests" >&2
    exit 1
  fi
  if [ "$(id -u)" -eq 0 ]; then
    sudo=()
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo)
  else
    say "missing: ${missing[*]}. Run: sudo apt-get update && sudo $cmd" >&2
    exit 1
  fi
  say "installing ${missing[*]} with apt (one-time, a few minutes)"
  "${sudo[@]}" apt-get update -q
  # shellcheck disable=SC2086
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive $cmd -q
fi

# node modules: install when absent or older than the lock file. `npm install` rather than `npm ci`:
# npm 11 writes lock files without the other platforms' optional packages (rollup's, esbuild's), which
# `npm ci` then refuses; `npm install` installs the locked versions all the same.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing node modules (npm install)"
  npm install --no-audit --no-fund
fi
