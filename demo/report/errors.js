// What every reader shares: the error that names the file, and shape arithmetic that cannot overflow.

/** A problem with one input file; the message starts with the file's name. */
export class FileError extends Error {
  constructor(file, problem) {
    super(`${file}: ${problem}`);
    this.name = 'FileError';
    this.file = file;
  }
}

export const MAX_RANK = 32;

/** '(2, 3, 4)' as NumPy prints shapes ('(5,)' for one dimension). */
export function formatShape(shape) {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/** The number of elements of a shape, or a FileError when it is not a shape or has 2^53 elements or more. */
export function elementCount(name, shape) {
  if (shape.length > MAX_RANK)
    throw new FileError(name, `has ${shape.length} dimensions; at most ${MAX_RANK} are supported`);
  let count = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0)
      throw new FileError(name, `has a dimension ${d} that is not an integer >= 0`);
    if (d !== 0 && count > Number.MAX_SAFE_INTEGER / d)
      throw new FileError(name, `declares the shape ${formatShape(shape)}: more elements than any file can hold`);
    count *= d;
  }
  return shape.includes(0) ? 0 : count;
}
