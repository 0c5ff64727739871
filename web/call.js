// The description of one kernel call (cpp/call.h): geometry, dtype and options, in wasm memory.
//
// The core exports the struct's layout (names, types and offsets, from XE_CALL_FIELDS) and a Call holding
// every default, so this file holds no offsets and no list of fields: a policy in web/ names the options
// it sets, in camelCase (`ignoreIndex` for ignore_index), and every other field gets its default. One description per instance,
// allocated once: kernel calls are synchronous, so it is never needed twice at a time.

const HEAPS = { f64: 'HEAPF64', f32: 'HEAPF32', u32: 'HEAPU32', i32: 'HEAP32' };
const SHIFT = { f64: 3, f32: 2, u32: 2, i32: 2 };

const camel = (name) => name.replace(/_([a-z])/g, (_, ch) => ch.toUpperCase());

export const REDUCTION = { none: 0, mean: 1, sum: 2 };
export const DTYPE = { float32: 0, float16: 1 };

export class CallDescription {
  #core;
  #defaults; // the struct's bytes with every field at its default
  #writers; // camelCase name -> (core, ptr, value) => void
  /** The address of the description in wasm memory. */
  ptr;

  constructor(core, memory) {
    this.#core = core;
    const size = core.callSize();
    this.ptr = memory.malloc('load', size);
    this.#defaults = core.HEAPU8.slice(core.callDefaults(), core.callDefaults() + size);
    // "name:type:offset," entries, a C string in wasm memory.
    const text = core.HEAPU8.subarray(core.callLayout());
    const layout = new TextDecoder().decode(text.slice(0, text.indexOf(0))); // a copy: shared memory cannot be decoded;
    this.#writers = Object.create(null);
    for (const entry of layout.split(',').filter(Boolean)) {
      const [name, type, offset] = entry.split(':');
      const heap = HEAPS[type];
      const shift = SHIFT[type];
      const at = Number(offset);
      this.#writers[camel(name)] = (c, ptr, v) => {
        c[heap][(ptr + at) >>> shift] = +v; // re-read the view: growing memory replaces it
      };
    }
  }

  /**
   * Writes one call's description and returns its address: the fields given in `options` (numbers or
   * booleans), every other field its default. A name the core does not know is a bug in web/ and throws.
   */
  set(options) {
    const core = this.#core;
    const ptr = this.ptr;
    core.HEAPU8.set(this.#defaults, ptr);
    for (const name in options) {
      const write = this.#writers[name];
      if (write === undefined) throw new Error(`call: xe::Call has no field ${name}`);
      write(core, ptr, options[name]);
    }
    return ptr;
  }
}
