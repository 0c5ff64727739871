// A minimal protobuf writer, just enough to build ONNX models (onnx.proto3) in code:
// ModelProto { ir_version=1, opset_import=8, graph=7 }, GraphProto { node=1, name=2, initializer=5,
// input=11, output=12 }, NodeProto { input=1, output=2, name=3, op_type=4, attribute=5, domain=7 },
// AttributeProto { name=1, f=2, i=3, s=4, t=5, floats=7, ints=8, type=20 },
// ValueInfoProto { name=1, type=2 }, TypeProto { tensor_type=1 }, TypeProto.Tensor { elem_type=1, shape=2 },
// TensorShapeProto { dim=1 }, Dimension { dim_value=1, dim_param=2 },
// TensorProto { dims=1, data_type=2, name=8, raw_data=9 }, OperatorSetIdProto { domain=1, version=2 }.

class Writer {
  constructor() {
    this.bytes = [];
  }
  varint(v) {
    let n = BigInt.asUintN(64, BigInt(v));
    while (n >= 0x80n) {
      this.bytes.push(Number(n & 0x7fn) | 0x80);
      n >>= 7n;
    }
    this.bytes.push(Number(n));
    return this;
  }
  tag(field, wire) {
    return this.varint((field << 3) | wire);
  }
  int(field, v) {
    return this.tag(field, 0).varint(v);
  }
  float(field, v) {
    this.tag(field, 5);
    const b = new Uint8Array(new Float32Array([v]).buffer);
    this.bytes.push(...b);
    return this;
  }
  bytesField(field, data) {
    this.tag(field, 2).varint(data.length);
    for (const b of data) this.bytes.push(b);
    return this;
  }
  string(field, s) {
    return this.bytesField(field, new TextEncoder().encode(s));
  }
  message(field, w) {
    return this.bytesField(field, w.finish());
  }
  finish() {
    return Uint8Array.from(this.bytes);
  }
}

export const DT = { FLOAT: 1, INT32: 6, INT64: 7 };
const ATTR = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 };

function attribute(name, value) {
  const w = new Writer().string(1, name);
  if (typeof value === 'string') w.string(4, value).int(20, ATTR.STRING);
  else if (typeof value === 'number' && Number.isInteger(value)) w.int(3, value).int(20, ATTR.INT);
  else if (typeof value === 'number') w.float(2, value).int(20, ATTR.FLOAT);
  else if (value?.float !== undefined) w.float(2, value.float).int(20, ATTR.FLOAT);
  else if (value?.tensor) w.message(5, tensor(value.tensor)).int(20, ATTR.TENSOR);
  else if (value?.ints) {
    for (const i of value.ints) w.int(8, i);
    w.int(20, ATTR.INTS);
  } else throw new Error(`onnx: unsupported attribute ${name}`);
  return w;
}

// { name, type: DT.*, dims: [...], data: TypedArray }
function tensor({ name, type, dims, data }) {
  const w = new Writer();
  for (const d of dims) w.int(1, d);
  w.int(2, type);
  if (name) w.string(8, name);
  w.bytesField(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return w;
}

// dims: numbers or strings (symbolic)
function valueInfo({ name, type, dims }) {
  const shape = new Writer();
  for (const d of dims) shape.message(1, typeof d === 'string' ? new Writer().string(2, d) : new Writer().int(1, d));
  const tt = new Writer().int(1, type).message(2, shape);
  return new Writer().string(1, name).message(2, new Writer().message(1, tt));
}

/**
 * model({ opset, nodes: [{ op, inputs, outputs, attrs }], inputs: [valueInfo], outputs: [valueInfo],
 * initializers: [tensor] }) -> Uint8Array
 */
export function model({ opset = 13, nodes, inputs, outputs, initializers = [], name = 'bench' }) {
  const g = new Writer();
  nodes.forEach((n, k) => {
    const w = new Writer();
    for (const i of n.inputs) w.string(1, i);
    for (const o of n.outputs) w.string(2, o);
    w.string(3, `${n.op}_${k}`).string(4, n.op);
    for (const [an, av] of Object.entries(n.attrs ?? {})) w.message(5, attribute(an, av));
    g.message(1, w);
  });
  g.string(2, name);
  for (const t of initializers) g.message(5, tensor(t));
  for (const v of inputs) g.message(11, valueInfo(v));
  for (const v of outputs) g.message(12, valueInfo(v));
  return new Writer()
    .int(1, 8) // ir_version 8 (ONNX 1.10+, opset <= 15)
    .string(2, 'xentropy-bench')
    .message(7, g)
    .message(8, new Writer().string(1, '').int(2, opset))
    .finish();
}
