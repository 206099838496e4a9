// Rendering shared by the bench's tables: numbered footnotes for cells that have no figure
// (a failed or skipped run), and a padded Markdown table with an intro and the notes below.

/** Collects distinct footnote texts and hands out their markers, "[1]", "[2]", ... */
export class Footnotes {
  readonly texts: string[] = [];

  marker(text: string): string {
    let i = this.texts.indexOf(text);
    if (i < 0) i = this.texts.push(text) - 1;
    return `[${i + 1}]`;
  }
}

/** Intro lines, a blank line, the table (columns padded to their widest cell), then the notes. */
export function markdownTable(intro: readonly string[], header: readonly string[], rows: readonly string[][], notes: Footnotes): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((l) => l[i]!.length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const out = [...intro, '', line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)];
  if (notes.texts.length > 0) out.push('', ...notes.texts.map((n, i) => `[${i + 1}] ${n}`));
  return `${out.join('\n')}\n`;
}
