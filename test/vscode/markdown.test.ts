import * as assert from 'assert';
import { renderMarkdown } from '../../src/engine';
import { escapeHtml, inline, markdownToHtml } from '../../src/vscode/markdown';
import { analyseFixture } from './helpers';

describe('vscode: report Markdown → HTML', () => {
  it('escapes every HTML-significant character', () => {
    assert.strictEqual(escapeHtml(`<a href="x" onclick='y'>&`), '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;');
    const html = markdownToHtml('# Title <script>alert(1)</script>\n\nText <img src=x onerror=alert(1)> and `<b>code</b>`\n\n- item <iframe>\n');
    assert.ok(!/<(script|img|iframe|b)\b/.test(html), html);
    assert.match(html, /<h1>Title &lt;script&gt;alert\(1\)&lt;\/script&gt;<\/h1>/);
    assert.match(html, /<code>&lt;b&gt;code&lt;\/b&gt;<\/code>/);
  });

  it('does not pass links, images or raw HTML through', () => {
    const html = markdownToHtml('[click](javascript:alert(1)) ![x](http://evil/x.png) <div onmouseover="x">hi</div>');
    assert.ok(!html.includes('<a') && !html.includes('<img') && !html.includes('<div'), html);
  });

  it('inline: bold, italic, code, backslash escapes', () => {
    assert.strictEqual(inline('**Overall: 60/100** — _generated_ by `pgready`'), '<strong>Overall: 60/100</strong> — <em>generated</em> by <code>pgready</code>');
    assert.strictEqual(inline('snake\\_case and \\*not bold\\* and a\\|b'), 'snake_case and *not bold* and a|b');
    assert.strictEqual(inline('job_applications_id stays'), 'job_applications_id stays');
  });

  it('tables with alignment and escaped pipes', () => {
    const html = markdownToHtml('| Category | Current |\n|---|---:|\n| Schema \\| Design | 84 |\n');
    assert.match(html, /<th>Category<\/th><th style="text-align:right">Current<\/th>/);
    assert.match(html, /<td>Schema \| Design<\/td><td style="text-align:right">84<\/td>/);
  });

  it('nested lists and fenced code inside a list item', () => {
    const html = markdownToHtml('- `a.py:1` **rule** (warning): msg\n  - Fix:\n\n    ```\n    op.create_index(<x>)\n    ```\n\n- next\n');
    assert.strictEqual((html.match(/<ul>/g) ?? []).length, 2);
    assert.match(html, /<pre><code>op\.create_index\(&lt;x&gt;\)<\/code><\/pre>/);
    assert.strictEqual((html.match(/<ul>/g) ?? []).length, (html.match(/<\/ul>/g) ?? []).length);
  });

  it('renders the engine report of the fixture: headings and the score table, well nested', async () => {
    const { result } = await analyseFixture();
    const md = renderMarkdown({ result, root: 'fixture <x>', version: '0.0.0' });
    const html = markdownToHtml(md);
    assert.match(html, /<h1>PostgreSQL production readiness: fixture &lt;x&gt;<\/h1>/);
    assert.match(html, /<h2>Readiness scores<\/h2>\n<table>/);
    assert.match(html, /<td>Performance<\/td><td style="text-align:right">\d+<\/td>/);
    for (const tag of ['ul', 'li', 'table', 'p', 'pre', 'code', 'strong', 'em']) {
      assert.strictEqual((html.match(new RegExp(`<${tag}[ >]`, 'g')) ?? []).length, (html.match(new RegExp(`</${tag}>`, 'g')) ?? []).length, tag);
    }
  });
});
