// Wasm memory for one instance: per-call scratch allocations and the user-facing WasmArray.
const MAX_BYTES = 2 ** 32 - 2 ** 16; // the 4 GiB wasm32 address space, less the first page
const GIB = 2 ** 30;
const VIEWS = {
  HEAP8: Int8Array,
  HEAPU8: Uint8Array,
  HEAP16: Int16Array,
  HEAPU16: Uint16Array,
  HEAP32: Int32Array,
  HEAPU32: Uint32Array,
  HEAPF32: Float32Array,
  HEAPF64: Float64Array,
};

/**
 * The core, its heap views current. The glue replaces them when memory grows on the calling thread, but in
 * the threaded build a pool thread's malloc (a kernel's scratch) can grow it too, and then only that
 * thread's views are replaced: the views here would end at the old size. core.xeWasmMemory is the
 * threaded build's memory (web/threads.js); its buffer changes whenever the memory grows.
 */
export function heap(core) {
  const buffer = core.xeWasmMemory?.buffer;
  if (buffer !== undefined && core.HEAPU8.buffer !== buffer) {
    for (const [name, View] of Object.entries(VIEWS)) core[name] = new View(buffer);
  }
  return core;
}

function mib(bytes) {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

export class Memory {
  constructor(core) {
    this.core = core;
    // A forgotten WasmArray is freed when it is garbage-collected; free() unregisters it.
    this.registry = new FinalizationRegistry((ptr) => core._free(ptr));
  }

  // Re-read on every use: growing memory replaces the views.
  get u8() {
    return heap(this.core).HEAPU8;
  }
  get u16() {
    return heap(this.core).HEAPU16;
  }
  get i32() {
    return heap(this.core).HEAP32;
  }
  get f32() {
    return heap(this.core).HEAPF32;
  }
  get f64() {
    return heap(this.core).HEAPF64;
  }

  malloc(fn, bytes) {
    const size = this.u8.length;
    const fail = () =>
      new RangeError(
        `${fn}: cannot allocate ${mib(bytes)} of wasm memory: the heap is ${mib(size)} and can grow to at most ${mib(MAX_BYTES)}`,
      );
    if (bytes > MAX_BYTES) throw fail();
    let ptr = this.core._malloc(Math.max(bytes, 1)) >>> 0;
    if (ptr === 0 && bytes >= GIB) {
      // dlmalloc extends the heap by less than 2 GiB at a time (sbrk takes a signed int32), so a larger
      // block can fail in a heap that has room for it: extend the heap in 1 GiB blocks first, whose
      // release merges them into the free top of the heap, then try again.
      const blocks = [];
      for (let grown = 0; grown < bytes; grown += GIB) {
        const block = this.core._malloc(GIB) >>> 0;
        if (block === 0) break;
        blocks.push(block);
      }
      for (const block of blocks) this.core._free(block);
      ptr = this.core._malloc(bytes) >>> 0;
    }
    if (ptr === 0) throw fail();
    return ptr;
  }

  free(ptr) {
    this.core._free(ptr);
  }
}

/** The typed array of each dtype a WasmArray can hold; Float16Array only where the runtime has it. */
export const DTYPES = { float32: Float32Array, float16: globalThis.Float16Array };

/** A float32 (or float16) array that lives in wasm memory: functions read and write it without copying. */
export class WasmArray {
  #memory;
  #ptr;
  #length;
  #dtype;

  constructor(memory, length, dtype = 'float32') {
    const bytes = DTYPES[dtype].BYTES_PER_ELEMENT;
    this.#memory = memory;
    this.#length = length;
    this.#dtype = dtype;
    this.#ptr = memory.malloc('alloc', length * bytes);
    memory.u8.fill(0, this.#ptr, this.#ptr + length * bytes);
    memory.registry.register(this, this.#ptr, this);
  }

  /** Number of elements. */
  get length() {
    return this.#length;
  }

  /** `'float32'` or `'float16'`. */
  get dtype() {
    return this.#dtype;
  }

  /** A Float32Array (or Float16Array) view of the data; re-read it after any call: memory may grow. */
  get array() {
    return new DTYPES[this.#dtype](this.#memory.f32.buffer, this.ptr('WasmArray.array'), this.#length);
  }

  /** Releases the memory; using the array afterwards throws. */
  free() {
    this.ptr('WasmArray.free');
    this.#memory.registry.unregister(this);
    this.#memory.free(this.#ptr);
    this.#ptr = 0;
  }

  /** @internal the byte offset, after checking the array is live (and of this instance, with `memory`). */
  ptr(fn, memory) {
    if (this.#ptr === 0) throw new Error(`${fn}: this WasmArray has already been freed`);
    if (memory !== undefined && memory !== this.#memory) {
      throw new TypeError(`${fn}: this WasmArray belongs to another xentropy instance`);
    }
    return this.#ptr;
  }
}

/**
 * The allocations of one call: inputs copied in, outputs computed into scratch memory, everything freed
 * by release() in a finally block whatever happened.
 */
export class Scratch {
  constructor(memory, fn) {
    this.memory = memory;
    this.fn = fn;
    this.ptrs = [];
  }

  alloc(bytes) {
    const ptr = this.memory.malloc(this.fn, bytes);
    this.ptrs.push(ptr);
    return ptr;
  }

  /**
   * Room for a copy of `data` at its address modulo 8 (else V8 copies into shared memory byte by byte):
   * up to 7 bytes past the block's start (6 for halves at an odd index, 4 for floats).
   */
  allocFor(data) {
    const ptr = this.alloc(data.byteLength + 7);
    return ptr + ((data.byteOffset - ptr) & 7);
  }

  /**
   * The wasm address of a checked float input (check.floats): its own memory for a WasmArray, else a
   * copy. The input keeps its dtype: float16 crosses as halves, and the kernel reads it with the call's
   * `dtype`. For inputs a kernel reads only as float32, use floats32.
   */
  floats(input) {
    if (input === null) return 0;
    if (input.wasm) return input.wasm.ptr(this.fn, this.memory);
    if (input.dtype === 'float16') {
      const ptr = this.alloc(input.length * 2);
      this.memory.u16.set(new Uint16Array(input.data.buffer, input.data.byteOffset, input.length), ptr >>> 1);
      return ptr;
    }
    const ptr = ArrayBuffer.isView(input.data) ? this.allocFor(input.data) : this.alloc(input.length * 4);
    this.memory.f32.set(input.data, ptr >>> 2);
    return ptr;
  }

  /** As floats, but a float16 input is widened (exactly) to a float32 copy. */
  floats32(input) {
    if (input === null || input.dtype !== 'float16') return this.floats(input);
    const ptr = this.alloc(input.length * 4);
    this.memory.f32.set(input.wasm ? input.wasm.array : input.data, ptr >>> 2);
    return ptr;
  }

  /** The wasm address of checked integer labels, copied as int32. */
  labels(labels) {
    const ptr = this.alloc(labels.length * 4);
    this.memory.i32.set(labels, ptr >>> 2);
    return ptr;
  }

  release() {
    for (const ptr of this.ptrs) this.memory.free(ptr);
    this.ptrs.length = 0;
  }
}
