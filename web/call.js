// The description of one kernel call (cpp/call.h): geometry, dtype and options, in wasm memory.
//
// The core exports the struct's layout (names, types and offsets, from XE_CALL_FIELDS) and a Call holding
// every default, so this file holds no offsets and no list of fields: a policy in web/ names the options
// it sets, in camelCase (`ignoreIndex` for ignore_index), and every other field gets its default. One description per instance,
// allocated once: kernel calls are synchronous, so it is never needed twice at a time.

const ARRAYS = { f64: Float64Array, f32: Float32Array, u32: Uint32Array, i32: Int32Array };

const camel = (name) => name.replace(/_([a-z])/g, (_, ch) => ch.toUpperCase());

export const REDUCTION = { none: 0, mean: 1, sum: 2 };
export const DTYPE = { float32: 0, float16: 1 };

export class CallDescription {
  #memory;
  #defaults; // the struct's bytes with every field at its default
  #image; // the struct's bytes as this call writes them, in JS memory; copied to wasm in one piece
  #fields; // camelCase name -> { view, index }: a typed view of #image and the field's index in it
  /** The address of the description in wasm memory. */
  ptr;

  constructor(core, memory) {
    this.#memory = memory;
    const size = core._xe_call_size();
    this.ptr = memory.malloc('load', size);
    const defaults = core._xe_call_defaults() >>> 0;
    this.#defaults = memory.u8.slice(defaults, defaults + size);
    // Whole doubles, so that every view fits; only the struct's `size` bytes are copied.
    const buffer = new ArrayBuffer(Math.ceil(size / 8) * 8);
    this.#image = new Uint8Array(buffer, 0, size);
    const views = Object.fromEntries(Object.entries(ARRAYS).map(([type, T]) => [type, new T(buffer)]));
    // "name:type:offset," entries, a C string in wasm memory.
    const text = memory.u8.subarray(core._xe_call_layout() >>> 0);
    const layout = new TextDecoder().decode(text.slice(0, text.indexOf(0))); // a copy: shared memory cannot be decoded;
    this.#fields = Object.create(null);
    for (const entry of layout.split(',').filter(Boolean)) {
      const [name, type, offset] = entry.split(':');
      this.#fields[camel(name)] = { view: views[type], index: Number(offset) / ARRAYS[type].BYTES_PER_ELEMENT };
    }
  }

  /**
   * Writes one call's description and returns its address: the fields given in `options` (numbers or
   * booleans) and, when given, the main input's `{ dtype, work }` (web/run.js input()); every other field
   * its default. A name the core does not know is a bug in web/ and throws.
   *
   * Call overhead (bench/ab.mjs): the fields are written into a copy in JS memory and copied to wasm in
   * one piece (a store per field through the glue's views, re-read on every call since growing memory
   * replaces them, cost about 0.25 us more per call); the input's fields come as a second argument rather
   * than spread into `options` (an object spread per call cost more than the whole description, and a
   * spread of a shared object first in a literal made V8 keep every call's object alive until a full GC).
   */
  set(options, input) {
    const image = this.#image;
    const fields = this.#fields;
    image.set(this.#defaults);
    for (const name in options) {
      const field = fields[name];
      if (field === undefined) throw new Error(`call: xe::Call has no field ${name}`);
      field.view[field.index] = +options[name];
    }
    if (input !== undefined) {
      fields.dtype.view[fields.dtype.index] = input.dtype;
      fields.work.view[fields.work.index] = input.work;
    }
    this.#memory.u8.set(image, this.ptr);
    return this.ptr;
  }
}
