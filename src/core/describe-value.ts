// How a rejected value or a piece of a damaged file is shown in an error message: like String(value),
// but it never throws (a structured-cloned { toString: 1 } makes String() throw "Cannot convert object
// to primitive value"), and it stays one short line without control characters.

const MAX_LENGTH = 60;

export function describeValue(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'symbol' ? value.toString() : String(value);
  } catch {
    try {
      text = Object.prototype.toString.call(value);
    } catch {
      text = typeof value;
    }
  }
  return printable(text);
}

/**
 * Input text quoted in an error message (a field of a parsed file): control characters are escaped
 * (\n, \r, \t, \xNN) so a damaged file cannot break the message's single line or send terminal
 * escape codes to the CLI's stderr, and long text is cut.
 */
export function printable(text: string, maxLength = MAX_LENGTH): string {
  const cut = text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
  return cut.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}
