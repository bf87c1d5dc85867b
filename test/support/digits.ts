/** '0'–'9' and 'X' as their full-width forms, as some input methods type an ID number. */
export const fullWidth = (s: string): string =>
  s.replace(/[0-9X]/g, (c) => (c === 'X' ? 'Ｘ' : String.fromCharCode(c.charCodeAt(0) + 0xfee0)));

/** Every digit a reader could recover from a text: percent-decoded (up to three times), full-width as ASCII. */
export function recoverableDigits(text: string): string {
  let s = text;
  for (let i = 0; i < 3; i++) {
    try {
      s = decodeURIComponent(s);
    } catch {
      break;
    }
  }
  return s.replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\D/g, '');
}
