#!/usr/bin/env bash
# Installs what building and testing xentropy needs, and says what it does:
#   `setup.sh build`: Emscripten with CMake and make (Debian's emscripten package only suggests them), and
#     the node modules;
#   `setup.sh test`: also the browsers the tests drive (Chromium, Firefox ESR, WebKitGTK's WebKitWebDriver and
#     MiniBrowser with Xvfb), clang-format 14 for the lint, and the other JavaScript runtimes (Node 18, 22,
#     24, Deno, Bun: tests/runtimes/package.json). Browsers and runtimes named in XENTROPY_SKIP are left out.
# On Debian/Ubuntu as root (or with passwordless sudo) it installs missing system packages with apt;
# elsewhere it stops and prints the command to run.
set -euo pipefail
cd "$(dirname "$0")/.."
purpose="${1:-build}"

say() { echo "setup: $*"; }

for tool in node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    say "$tool not found: xentropy needs Node.js >= 18 with npm. Install a current Node.js LTS (Debian/Ubuntu: sudo apt-get install nodejs npm; or from https://nodejs.org)." >&2
    exit 1
  fi
done
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 18 ]; then
  say "Node.js >= 18 is required, found $(node --version). Install a current Node.js LTS." >&2
  exit 1
fi

# XENTROPY_SKIP is parsed in one place, tests/lib/skip.mjs (it fails on an unknown name).
skips=""
if [ "$purpose" = test ]; then
  skips=$(node tests/lib/skip.mjs)
  [ -n "$skips" ] && say "XENTROPY_SKIP: not installing what these need: $(echo $skips)"
fi
skipping() { grep -qx "$1" <<<"$skips"; }

chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
firefox="${FIREFOX_PATH:-/usr/bin/firefox-esr}"
missing=()   # Debian packages
elsewhere=() # what to install by hand where there is no apt
command -v emcc >/dev/null 2>&1 || { missing+=(emscripten); elsewhere+=("Emscripten 3.1.x (emcc on PATH)"); }
command -v cmake >/dev/null 2>&1 || { missing+=(cmake); elsewhere+=("CMake"); }
command -v make >/dev/null 2>&1 || { missing+=(make); elsewhere+=("make"); }
if [ "$purpose" = test ]; then
  if ! skipping chromium && [ ! -x "$chromium" ]; then
    if [ -n "${CHROMIUM_PATH:-}" ]; then
      say "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file. Point it at Chromium, unset it to use /usr/bin/chromium, or set XENTROPY_SKIP=chromium." >&2
      exit 1
    fi
    missing+=(chromium)
    elsewhere+=("Chromium at /usr/bin/chromium (or CHROMIUM_PATH)")
  fi
  if ! skipping firefox && [ ! -x "$firefox" ]; then
    if [ -n "${FIREFOX_PATH:-}" ]; then
      say "FIREFOX_PATH=$FIREFOX_PATH is not an executable file. Point it at Firefox, unset it, or set XENTROPY_SKIP=firefox." >&2
      exit 1
    fi
    missing+=(firefox-esr)
    elsewhere+=("Firefox ESR at /usr/bin/firefox-esr (or FIREFOX_PATH)")
  fi
  if ! skipping webkit; then
    if [ ! -x /usr/bin/WebKitWebDriver ] || [ ! -x /usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser ]; then
      missing+=(webkit2gtk-driver)
      elsewhere+=("WebKitGTK 4.1 with WebKitWebDriver and MiniBrowser")
    fi
    command -v Xvfb >/dev/null 2>&1 || { missing+=(xvfb); elsewhere+=("Xvfb"); }
  fi
  # The C++ is formatted with clang-format 14 (Debian bookworm's); the lint skips the C++ check, saying
  # why, when only another version is there.
  if ! command -v clang-format-14 >/dev/null 2>&1 && ! clang-format --version 2>/dev/null | grep -q 'version 14\.'; then
    if command -v apt-cache >/dev/null 2>&1 && apt-cache show clang-format-14 >/dev/null 2>&1; then
      missing+=(clang-format-14)
    else
      say "clang-format 14 not found and not available here: npm run lint will skip the C++ format check"
    fi
  fi
fi

if [ ${#missing[@]} -gt 0 ]; then
  cmd="apt-get install -y -o DPkg::Lock::Timeout=600 ${missing[*]}"
  if ! command -v apt-get >/dev/null 2>&1; then
    say "missing: ${elsewhere[*]}. This is not a Debian-like system: install them, or set XENTROPY_SKIP for the browsers you leave out." >&2
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

# Node modules: installed when absent or older than their lock file, with `npm install`, not `npm ci`: npm 11
# writes lock files without the other platforms' optional packages (rollup's, esbuild's), which `npm ci`
# then refuses; `npm install` installs the locked versions all the same (the README says the same).
install_modules() { # folder, what
  if [ ! -f "$1/node_modules/.package-lock.json" ] || [ "$1/package-lock.json" -nt "$1/node_modules/.package-lock.json" ]; then
    say "installing $2 (npm install in $1)"
    # One retry: the registry now and then drops a connection mid-install ("Idle timeout reached").
    if ! (cd "$1" && npm install --no-audit --no-fund); then
      say "npm install in $1 failed; trying once more"
      (cd "$1" && npm install --no-audit --no-fund)
    fi
  fi
}
install_modules . "node modules"
if [ "$purpose" = test ]; then
  need_runtimes=no
  for id in node18 node22 node24 deno bun; do skipping "$id" || need_runtimes=yes; done
  if [ "$need_runtimes" = yes ]; then
    install_modules tests/runtimes "the test runtimes: Node 18, 22, 24, Deno, Bun (about 700 MB, one-time)"
  fi
fi
