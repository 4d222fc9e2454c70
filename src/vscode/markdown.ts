// A tiny, safe Markdown → HTML converter for exactly the subset the engine's Markdown report emits: headings,
// paragraphs, `- ` lists (nested by indentation), pipe tables with alignment, fenced code blocks, inline
// code, **bold**, _italic_ and backslash escapes. Every character of input text is HTML-escaped; no raw HTML,
// links or images pass through, so a finding message can never inject markup into the report webview.

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const PUNCT = /\\([\\`*_{}[\]()#+\-.!|<>~])/g;

/** Inline formatting of one line of text. */
export function inline(src: string): string {
  const out: string[] = [];
  // Code spans first: their content is literal (no escapes, no emphasis).
  const parts = src.split(/(`[^`]*`)/);
  for (const part of parts) {
    if (part.length >= 2 && part.startsWith('`') && part.endsWith('`')) {
      out.push(`<code>${escapeHtml(part.slice(1, -1))}</code>`);
      continue;
    }
    // Escaped punctuation becomes a placeholder so it cannot start emphasis, then comes back escaped.
    const held: string[] = [];
    let s = part.replace(PUNCT, (_, c: string) => `\uE000${held.push(c) - 1}\uE001`);
    s = escapeHtml(s);
    s = s.replace(/\*\*(?=\S)(.+?)(?<=\S)\*\*/g, '<strong>$1</strong>');
    s = s.replace(/(^|[^\w])_(?=\S)(.+?)(?<=\S)_(?!\w)/g, '$1<em>$2</em>');
    s = s.replace(/\uE000(\d+)\uE001/g, (_, i: string) => escapeHtml(held[Number(i)]));
    out.push(s);
  }
  return out.join('');
}

function splitCells(row: string): string[] {
  let s = row.trim();
  if (s.startsWith('|')) s = s.slice(1);
  if (s.endsWith('|') && !s.endsWith('\\|')) s = s.slice(0, -1);
  const cells: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && s[i + 1] === '|') {
      cur += '\\|';
      i++;
    } else if (s[i] === '|') {
      cells.push(cur.trim());
      cur = '';
    } else cur += s[i];
  }
  cells.push(cur.trim());
  return cells;
}

const SEPARATOR = /^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/;

export function markdownToHtml(md: string): string {
  const lines = md.replace(/\r\n/g, '\n').split('\n');
  const html: string[] = [];
  let para: string[] = [];
  // Open lists, innermost last: the indentation of their items.
  const lists: number[] = [];

  const flushPara = () => {
    if (para.length) html.push(`<p>${para.map(inline).join(' ')}</p>`);
    para = [];
  };
  const closeLists = (toIndent = -1) => {
    while (lists.length && lists[lists.length - 1] > toIndent) {
      html.push('</li></ul>');
      lists.pop();
    }
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const indent = /^ */.exec(line)![0].length;

    const fence = /^(\s*)```(\S*)\s*$/.exec(line);
    if (fence) {
      flushPara();
      if (lists.length && indent <= lists[lists.length - 1]) closeLists(indent - 1);
      const code: string[] = [];
      const lang = fence[2];
      for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]); i++) code.push(lines[i].startsWith(fence[1]) ? lines[i].slice(fence[1].length) : lines[i].trimStart());
      html.push(`<pre><code${lang ? ` class="language-${escapeHtml(lang)}"` : ''}>${escapeHtml(code.join('\n'))}</code></pre>`);
      continue;
    }
    if (!line.trim()) {
      flushPara();
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      flushPara();
      closeLists();
      const n = heading[1].length;
      html.push(`<h${n}>${inline(heading[2])}</h${n}>`);
      continue;
    }
    if (line.trimStart().startsWith('|') && i + 1 < lines.length && SEPARATOR.test(lines[i + 1])) {
      flushPara();
      closeLists();
      const head = splitCells(line);
      const align = splitCells(lines[i + 1]).map((c) => (c.startsWith(':') && c.endsWith(':') ? 'center' : c.endsWith(':') ? 'right' : c.startsWith(':') ? 'left' : ''));
      const attr = (j: number) => (align[j] ? ` style="text-align:${align[j]}"` : '');
      html.push('<table>', '<thead><tr>' + head.map((c, j) => `<th${attr(j)}>${inline(c)}</th>`).join('') + '</tr></thead>', '<tbody>');
      for (i += 2; i < lines.length && lines[i].trimStart().startsWith('|'); i++) {
        html.push('<tr>' + splitCells(lines[i]).map((c, j) => `<td${attr(j)}>${inline(c)}</td>`).join('') + '</tr>');
      }
      i--;
      html.push('</tbody>', '</table>');
      continue;
    }
    const item = /^(\s*)[-*]\s+(.*)$/.exec(line);
    if (item) {
      flushPara();
      const top = lists.length ? lists[lists.length - 1] : -1;
      if (indent > top) {
        html.push('<ul><li>');
        lists.push(indent);
      } else {
        closeLists(indent);
        if (lists.length && lists[lists.length - 1] === indent) html.push('</li><li>');
        else {
          html.push('<ul><li>');
          lists.push(indent);
        }
      }
      html.push(inline(item[2]));
      continue;
    }
    if (lists.length && indent === 0) closeLists();
    para.push(line.trim());
  }
  flushPara();
  closeLists();
  return html.join('\n');
}
