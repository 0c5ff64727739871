#!/usr/bin/env bash
# Builds dist/xentropy-{simd,scalar}.{mjs,wasm} with Emscripten through CMake.
# XE_BUILD_TYPE=Debug|Release (default Release); XE_SANITIZE=address,undefined for a checking build,
# which goes to dist-asan/ instead.
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"  # Debian's emcc needs it to find acorn

tested="3.1.6"
if ! command -v emcc >/dev/null 2>&1; then
  echo "build: emcc not found. Install Emscripten $tested (Debian: sudo apt-get install emscripten), or run npm test / npm start, which install it." >&2
  exit 1
fi
# sed reads all of emcc's output: `head -n 1` closed the pipe early, and emcc (Python) then died of a
# BrokenPipeError now and then, which pipefail turned into a failed build.
version=$(emcc --version | sed -nE '1s/.* ([0-9]+\.[0-9]+\.[0-9]+).*/\1/p')
if [ "$version" != "$tested" ]; then
  echo "build: warning: Emscripten $version found, xentropy is tested with $tested" >&2
fi

sanitize="${XE_SANITIZE:-}"
if [ -n "$sanitize" ]; then dir=build-asan; out=dist-asan; else dir=build; out=dist; fi
echo "build: Emscripten $version -> $out/ (SIMD and scalar)"
emcmake cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE="${XE_BUILD_TYPE:-Release}" -DXE_SANITIZE="$sanitize" \
  -DXE_OUT_DIR="$PWD/$out" >/dev/null
cmake --build "$dir" -j 2
