import { escapeText } from "../../core/escape-text.js";

/** A piece of HTML already safe to put in a page: made only by {@link markup}, so every string inside was escaped. */
export class Markup {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** What may go into a {@link markup} template: text (escaped), numbers, markup, lists of markup, or nothing. */
export type MarkupValue = string | number | Markup | readonly Markup[] | undefined | false;

const ENTITIES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * `text` safe in HTML element content and in quoted attribute values: markup characters as
 * entities, and control and bidirectional characters shown as escapes (as the text report shows them).
 */
export function escapeHtml(text: string): string {
  return escapeText(text).replace(/[&<>"']/g, (char) => ENTITIES[char] as string);
}

/**
 * A template that escapes every string put into it, so a role named `<script>` is shown, never
 * run; only markup made by `markup` itself goes in as it is. `undefined` and `false` put nothing.
 * (Not named `html`: Prettier would reformat such templates as HTML, whitespace inside `<pre>` included.)
 */
export function markup(strings: TemplateStringsArray, ...values: readonly MarkupValue[]): Markup {
  let text = strings[0] ?? "";
  values.forEach((value, index) => {
    text += piece(value) + (strings[index + 1] ?? "");
  });
  return new Markup(text);
}

function piece(value: MarkupValue): string {
  if (value === undefined || value === false) return "";
  if (value instanceof Markup) return value.text;
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return escapeHtml(value);
  return value.map((entry) => entry.text).join("");
}

/** pgwarden's own constant markup (the stylesheet, the script), put in as it is; never for text from anywhere else. */
export function trusted(constant: string): Markup {
  return new Markup(constant);
}
