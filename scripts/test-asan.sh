#!/usr/bin/env bash
# Runs the Node test suite against an AddressSanitizer + UndefinedBehaviorSanitizer build of the core.
# The checked build goes to dist-asan/; a scratch copy of the package with dist/ replaced by it is tested,
# so the loader and the tests are exactly the shipped ones. Any ASan/UBSan report aborts the wasm call,
# which throws and fails the test that made it.
set -euo pipefail
cd "$(dirname "$0")/.."
XE_SANITIZE=address,undefined XE_BUILD_TYPE=RelWithDebInfo bash scripts/build.sh
tree=build-asan/package
rm -rf "$tree"
mkdir -p "$tree"
# (not the other runtimes' binaries: tests/runtimes/node_modules is about 700 MB)
tar -c --exclude=tests/runtimes/node_modules package.json web tests examples | tar -x -C "$tree"
cp -r dist-asan "$tree"/dist
ln -s "$PWD/node_modules" "$tree"/node_modules
cd "$tree"
# The browsers and runtimes (engines), server, browser, demo, packaging, types, docs, lint and size tests
# are about the shipped files, not the core: they run once, against the release build.
# threads: the sanitized build has no threaded variant (CMakeLists.txt builds it only without XE_SANITIZE).
files=$(ls tests/*.test.mjs | grep -v -E 'engines|node24|server|browser|demo|report|package|types|docs|lint|size|threads')
echo "test:asan: $files"
# shellcheck disable=SC2086
XE_SANITIZED=1 node --test --test-timeout=600000 $files
