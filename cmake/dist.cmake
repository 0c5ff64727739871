# cmake -DDIR=<variant build dir> -DOUT=<dist dir> [-DSANITIZED=1] [-DTERSER=<terser>] -P cmake/dist.cmake
# The SIMD and scalar builds get the same Emscripten glue except for the name of the .wasm file it would
# fetch by itself, which it never does: web/loader.js compiles the .wasm and hands it over through
# instantiateWasm. So the glue ships once, as xentropy.mjs (11.6 KiB gzipped saved), next to both .wasm
# files. If the glue ever differs in anything else, this fails rather than ship a mismatched pair.
#
# Sanitized builds (tests only) are the exception: their glue embeds addresses that differ per build. They
# keep both files, and xentropy.mjs exports them as `simd` and `scalar` for the loader to pick from.
file(READ "${DIR}/xentropy-simd.mjs" simd)
file(READ "${DIR}/xentropy-scalar.mjs" scalar)
string(REPLACE "xentropy-scalar.wasm" "xentropy-simd.wasm" scalar "${scalar}")
file(MAKE_DIRECTORY "${OUT}")
file(COPY "${DIR}/xentropy-simd.wasm" "${DIR}/xentropy-scalar.wasm" DESTINATION "${OUT}")
if(simd STREQUAL scalar)
  file(WRITE "${OUT}/xentropy.mjs" "${simd}")
  file(REMOVE "${OUT}/xentropy-simd.mjs" "${OUT}/xentropy-scalar.mjs")  # from older builds
elseif(SANITIZED)
  file(COPY "${DIR}/xentropy-simd.mjs" "${DIR}/xentropy-scalar.mjs" DESTINATION "${OUT}")
  file(WRITE "${OUT}/xentropy.mjs"
       "// A sanitized build: one glue per build (see cmake/dist.cmake).\n"
       "export { default as simd } from './xentropy-simd.mjs';\n"
       "export { default as scalar } from './xentropy-scalar.mjs';\n")
else()
  message(FATAL_ERROR "the SIMD and scalar glue (${DIR}/xentropy-{simd,scalar}.mjs) differ in more than "
                      "the .wasm file name: they can no longer share dist/xentropy.mjs")
endif()

# The threaded build (not in sanitized builds) keeps its own glue and worker script: they differ from the
# others in much more than a name, and only pages that use threads load them.
if(EXISTS "${DIR}/xentropy-threads.wasm")
  file(COPY "${DIR}/xentropy-threads.mjs" "${DIR}/xentropy-threads.wasm" "${DIR}/xentropy-threads.worker.js"
       DESTINATION "${OUT}")
  # Emscripten's worker script is CommonJS under Node (require, __filename): a .js file there needs the
  # nearest package.json to say so, since the package's says "module". Browsers ignore it.
  file(WRITE "${OUT}/package.json" "{ \"type\": \"commonjs\" }\n")
endif()

# Emscripten 3.1.6 minifies the glue's local names only; as an ES module its top-level names are private
# too, and terser --module shortens them: 11.5 -> 8.0 KiB gzipped for xentropy.mjs, 19.4 -> 13.7 KiB for
# the threaded glue (Closure, --closure 1, does as well on the first and 1.2 KiB better on the second, but
# needs google-closure-compiler and renames properties). Sanitized builds stay readable.
if(TERSER AND NOT SANITIZED)
  set(glues "${OUT}/xentropy.mjs")
  if(EXISTS "${OUT}/xentropy-threads.mjs")
    list(APPEND glues "${OUT}/xentropy-threads.mjs")
  endif()
  foreach(glue ${glues})
    execute_process(COMMAND "${TERSER}" "${glue}" --module --compress --mangle --output "${glue}"
                    RESULT_VARIABLE failed)
    if(failed)
      message(FATAL_ERROR "terser failed on ${glue}")
    endif()
  endforeach()
endif()
