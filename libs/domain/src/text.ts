/**
 * Whether a text says something: not only whitespace or invisible format characters (zero-width space, bidi marks,
 * the BOM), which look blank to a reader but pass a plain trim().
 */
export function hasText(text: string): boolean {
  return /[^\s\p{Cf}]/u.test(text);
}
