/**
 * Whether a text says something: a character that is not whitespace, a control or format character (zero-width
 * space, bidi marks, the BOM), another default-ignorable code point (Hangul fillers, variation selectors, the soft
 * hyphen, the combining grapheme joiner), a combining mark with nothing to combine with, or the blank Braille
 * pattern. Each of these looks blank to a reader but passes a plain trim().
 */
export function hasText(text: string): boolean {
  return /[^\s\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\p{M}\u2800]/u.test(text);
}

/** An optional text is left out, or says something. */
export function absentOrHasText(text: string | undefined): boolean {
  return text === undefined || hasText(text);
}
