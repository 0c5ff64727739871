#!/usr/bin/env bash
# The relaxed-SIMD experiment of issue #14 (see README.md here): builds the SIMD core twice with Debian's
# clang 19 driven by Emscripten 3.1.6, once with -mrelaxed-simd (vmath.h's madd becomes relaxed_madd, fused
# where the CPU has FMA) and once without, so that the two differ only in that flag. Binaryen 108 cannot
# parse relaxed opcodes, so both are linked without it (-O0 link, WASM_BIGINT): no wasm-opt -Oz, unminified
# import names. Output: build-relaxed/pkg/, a copy of web/ with a dist/ holding the shared glue,
# xentropy-simd.wasm (clang 19, SIMD128) and xentropy-relaxed.wasm (clang 19, SIMD128 + relaxed SIMD).
# Needs: apt-get install clang-19 lld-19 emscripten.
set -euo pipefail
cd "$(dirname "$0")/../.."
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"
root=$PWD/build-relaxed
llvm=$root/llvm19
mkdir -p "$llvm" "$root/obj-simd" "$root/obj-relaxed" "$root/pkg/dist"

# Emscripten 3.1.6 (Debian) calls clang-14, wasm-ld-14, llvm-ar-14, ...: a directory of such names that point
# at LLVM 19's tools.
for tool in /usr/lib/llvm-19/bin/*; do ln -sf "$tool" "$llvm/$(basename "$tool")-14"; done
ln -sf /usr/lib/llvm-19/bin/wasm-ld "$llvm/wasm-ld-14"
export EM_LLVM_ROOT=$llvm

sources=(cpp/simd/*.cc cpp/kernels/*.cc cpp/model/*.cc cpp/parallel.cc cpp/bindings.cpp)
small=" cpp/bindings.cpp cpp/model/bindings.cc cpp/model/classifier.cc cpp/model/ops.cc "  # -Os, as in CMakeLists.txt
link=(-lembind -O0 -sASSERTIONS=0 -sWASM_BIGINT=1
  -sMODULARIZE=1 -sEXPORT_ES6=1 -sEXPORT_NAME=createXentropy -sENVIRONMENT=web,worker
  -sALLOW_MEMORY_GROWTH=1 -sMAXIMUM_MEMORY=4GB -sDYNAMIC_EXECUTION=0 -sFILESYSTEM=0
  -sNODEJS_CATCH_EXIT=0 -sNODEJS_CATCH_REJECTION=0 -sEXPORTED_FUNCTIONS=_malloc,_free
  -sEXPORTED_RUNTIME_METHODS=[] -sINCOMING_MODULE_JS_API=[instantiateWasm,print,printErr])

build() {  # build <name> <extra compile flags...>
  local name=$1 objs=() src obj opt
  shift
  for src in "${sources[@]}"; do
    obj=$root/obj-$name/$(echo "$src" | tr / _).o
    opt=-O3
    [[ $small == *" $src "* ]] && opt=-Os
    em++ -std=c++17 $opt -Wall -Wextra -fno-exceptions -msimd128 "$@" -c "$src" -o "$obj" &
    objs+=("$obj")
    while [ "$(jobs -rp | wc -l)" -ge 2 ]; do wait -n; done
  done
  wait
  em++ -msimd128 "$@" "${objs[@]}" "${link[@]}" -o "$root/obj-$name/xentropy.mjs"
}
build simd
build relaxed -mrelaxed-simd
if ! cmp -s "$root/obj-simd/xentropy.mjs" "$root/obj-relaxed/xentropy.mjs"; then
  echo "relaxed: the two builds' glue differ; they cannot share one" >&2
  exit 1
fi
rm -rf "$root/pkg/web" && cp -r web "$root/pkg/web"
cp "$root/obj-simd/xentropy.mjs" "$root/pkg/dist/xentropy.mjs"
cp "$root/obj-simd/xentropy.wasm" "$root/pkg/dist/xentropy-simd.wasm"
cp "$root/obj-relaxed/xentropy.wasm" "$root/pkg/dist/xentropy-relaxed.wasm"
ls -l "$root/pkg/dist"
