/** A string no document holds: JSON.stringify keeps it on one line, where its indentation shows. */
const PLACEHOLDER = "\u0000pgwarden-long-array\u0000";

/** How many array items go into one write. */
const ITEMS_PER_CHUNK = 2_000;

/**
 * `JSON.stringify(document, null, 2)` plus a line break, byte for byte, in pieces: the one long
 * array that `place` puts into the document is written a batch of items at a time, so a
 * report of millions of findings never becomes one string (`each` turns an item into what is written) (V8 caps a string at about 512 MiB,
 * and JSON.stringify throws "Invalid string length" beyond it). Each piece ends with a line break.
 */
export function* jsonChunks<T>(
  items: readonly T[],
  place: (items: unknown) => unknown,
  each: (item: T) => unknown = (item) => item,
): Generator<string> {
  const text = JSON.stringify(place(PLACEHOLDER), null, 2);
  const marker = JSON.stringify(PLACEHOLDER);
  const at = text.indexOf(marker);
  if (at < 0) throw new Error("jsonChunks: the document does not hold the array");
  const lineStart = text.lastIndexOf("\n", at) + 1;
  const indent = " ".repeat(text.slice(lineStart, at).length - text.slice(lineStart, at).trimStart().length);
  const before = text.slice(0, at);
  const after = `${text.slice(at + marker.length)}\n`;
  if (items.length === 0) {
    yield `${before}[]${after}`;
    return;
  }
  const inner = `${indent}  `;
  let piece = `${before}[\n`;
  for (const [index, item] of items.entries()) {
    // Nested lines of an item move right by the array's depth; strings in JSON hold no raw line break.
    piece += `${inner}${JSON.stringify(each(item), null, 2).replaceAll("\n", `\n${inner}`)}${index + 1 < items.length ? "," : ""}\n`;
    if ((index + 1) % ITEMS_PER_CHUNK === 0) {
      yield piece;
      piece = "";
    }
  }
  yield `${piece}${indent}]${after}`;
}
