// Optional class names: a .txt file with one name per line, or a .json array of strings.
import { FileError } from './errors.js';

export const MAX_NAMES_BYTES = 4 * 2 ** 20;

/** The names in a Blob, checked against the number of classes. */
export async function readNames(blob, name, classes) {
  if (blob.size > MAX_NAMES_BYTES)
    throw new FileError(name, `is ${blob.size} bytes; a class names file is at most 4 MiB`);
  const text = await blob.text();
  let names;
  if (/\.json$/i.test(name) || /^\s*\[/.test(text)) {
    try {
      names = JSON.parse(text);
    } catch (error) {
      throw new FileError(name, `is not valid JSON (${error.message})`);
    }
    if (!Array.isArray(names) || !names.every((n) => typeof n === 'string' || typeof n === 'number'))
      throw new FileError(name, 'is not a JSON array of class names');
    names = names.map(String);
  } else {
    names = text.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n');
  }
  if (names.length !== classes)
    throw new FileError(name, `has ${names.length} class names, but the outputs have ${classes} classes`);
  return names.map((n) => n.trim().slice(0, 80));
}
