// Renders the plan page the extension computed (the JSON in #plan-data): a header with the source and
// notes, a toolbar, the plan tree and the advice list. It only formats: every number comes from the
// engine's view model. Text goes in with textContent, never as HTML.
(function () {
  'use strict';
  const vscode = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : undefined;

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function add(parent, ...children) {
    for (const c of children) if (c) parent.appendChild(c);
    return parent;
  }
  const fmtRows = (n) => (n >= 1e7 ? `${Math.round(n / 1e6)}M` : n >= 1e5 ? `${Math.round(n / 1e3)}k` : String(Math.round(n)));
  const pct = (x) => `${(x * 100).toFixed(x >= 0.1 ? 0 : 1)}%`;
  const ms = (x) => (x >= 100 ? `${x.toFixed(0)} ms` : x >= 1 ? `${x.toFixed(2)} ms` : `${x.toFixed(3)} ms`);
  const factor = (f) => (f >= 100 ? String(Math.round(f)) : f.toFixed(1));

  function bar(share, label) {
    const b = el('span', 'bar');
    b.title = label;
    const fill = el('span', 'fill');
    // A CSS width from a number the engine computed; clamped, so nothing else can reach the style.
    fill.style.width = `${Math.max(0, Math.min(100, share * 100)).toFixed(1)}%`;
    return add(b, fill);
  }

  function metric(label, value, cls) {
    const m = el('span', `metric${cls ? ` ${cls}` : ''}`);
    return add(m, el('span', 'k', label), el('span', 'v', value));
  }

  function nodeRow(vm, n) {
    const li = el('li', `node${n.hottest && vm.nodes.length > 1 ? ' hottest' : ''}${n.neverExecuted ? ' never' : ''}`);
    li.dataset.id = n.id;
    const head = el('div', 'head');
    const title = el('span', 'type', n.nodeType);
    add(head, title);
    if (n.relation) add(head, el('span', 'rel', ` on ${n.relation}${n.alias && n.alias !== n.relation ? ` ${n.alias}` : ''}`));
    if (n.index) add(head, el('span', 'idx', ` using ${n.index}`));
    if (n.hottest && vm.nodes.length > 1) add(head, el('span', 'badge hot', 'hottest'));
    li.appendChild(head);

    const metrics = el('div', 'metrics');
    if (vm.analyzed && n.neverExecuted) add(metrics, metric('', 'never executed', 'muted'));
    else if (vm.analyzed) {
      add(metrics, metric('rows est → actual', `${fmtRows(n.estimatedRows)} → ${fmtRows(n.actualRows ?? 0)}`));
      if (n.misestimate && n.misestimate.factor >= 2) {
        add(metrics, metric('misestimate', `${factor(n.misestimate.factor)}× ${n.misestimate.direction}`, n.misestimate.factor >= 10 ? 'bad' : 'warn'));
      }
      if ((n.loops ?? 1) > 1) add(metrics, metric('loops', String(n.loops)));
      add(metrics, metric('time', `${ms(n.exclusiveTime ?? 0)} (${pct(n.exclusiveTimeShare ?? 0)})`));
    } else add(metrics, metric('rows (est.)', fmtRows(n.estimatedRows)));
    add(metrics, metric('cost', `${n.startupCost.toFixed(2)}..${n.totalCost.toFixed(2)}`));
    if (!vm.analyzed) add(metrics, metric('cost share', pct(n.exclusiveCostShare)));
    if (n.buffers) {
      const b = n.buffers;
      add(metrics, metric('buffers', `hit ${b.sharedHit} · read ${b.sharedRead}${b.sharedDirtied ? ` · dirtied ${b.sharedDirtied}` : ''}${b.tempRead || b.tempWritten ? ` · temp ${b.tempRead}/${b.tempWritten}` : ''}`));
    }
    const share = vm.analyzed ? n.exclusiveTimeShare ?? 0 : n.exclusiveCostShare;
    add(li, metrics, bar(share, `${vm.analyzed ? 'exclusive time' : 'exclusive cost'}: ${pct(share)} of the total`));
    if (n.details.length) {
      const d = el('ul', 'details');
      for (const line of n.details) add(d, el('li', '', line));
      li.appendChild(d);
    }
    for (const a of n.advice) add(li, el('div', `advice-inline ${a.severity}`, `${a.rule}: ${a.message}`));
    return li;
  }

  function tree(vm) {
    const byId = new Map(vm.nodes.map((n) => [n.id, n]));
    const build = (n) => {
      const li = nodeRow(vm, n);
      if (n.childIds.length) {
        const ul = el('ul', 'children');
        for (const id of n.childIds) if (byId.has(id)) ul.appendChild(build(byId.get(id)));
        li.appendChild(ul);
      }
      return li;
    };
    const root = vm.nodes[0];
    const ul = el('ul', 'tree');
    if (root) ul.appendChild(build(root));
    return ul;
  }

  /** The "Try it" result element of each index advice, by advice position. */
  let results = [];

  /** Shows a "Try it" state the extension posted (running, error, or cost before → after). */
  function showTry(m) {
    const r = results[m.index];
    if (!r) return;
    r.textContent = '';
    r.className = `try-result ${m.state}`;
    if (m.state === 'running') add(r, el('p', 'muted', 'Trying the index…'));
    else if (m.state === 'error') add(r, el('p', 'bad', m.message));
    else if (m.state === 'done') {
      const change = m.before > 0 ? ` (${m.ratio <= 1 ? '−' : '+'}${Math.abs((1 - m.ratio) * 100).toFixed(1)}%)` : '';
      add(r, metric('cost before → after', `${Number(m.before).toFixed(2)} → ${Number(m.after).toFixed(2)}${change}`, m.ratio < 1 ? 'good' : 'warn'));
      add(r, el('p', '', `${m.method === 'hypopg' ? 'Hypothetical index (hypopg): nothing was built.' : 'Built in a transaction and rolled back: nothing remains.'} ${m.usesIndex ? `The plan uses ${m.indexName}.` : 'The planner did not choose the index.'} On ${m.source}.`));
      for (const n of m.notes || []) add(r, el('p', 'muted', n));
    }
  }

  function render(page, main) {
    const vm = page.vm;
    results = [];
    main.textContent = '';
    const header = el('header', 'header');
    add(header, el('h1', '', `EXPLAIN${page.analyzed ? ' ANALYZE' : ''}${page.origin ? ` · ${page.origin}` : ''}`));
    add(header, el('div', 'source', `${vm.source || 'database'}${vm.generic ? ' · generic plan (parameters unbound)' : ''}${page.production ? ' · production' : ''}`));
    if (vm.sql) add(header, el('pre', 'sql', vm.sql));
    main.appendChild(header);

    const toolbar = el('nav', 'toolbar');
    const btn = (label, analyze, buffers) => {
      const b = el('button', '', label);
      b.type = 'button';
      b.addEventListener('click', () => vscode && vscode.postMessage({ type: 'rerun', analyze, buffers }));
      return b;
    };
    add(toolbar, btn('EXPLAIN', false, page.buffers), btn('EXPLAIN ANALYZE (rolled back)', true, page.buffers), btn(page.buffers ? 'Without BUFFERS' : 'With BUFFERS', page.analyzed, !page.buffers));
    const reveal = el('button', '', 'Go to statement');
    reveal.type = 'button';
    reveal.addEventListener('click', () => vscode && vscode.postMessage({ type: 'reveal' }));
    add(toolbar, reveal);
    main.appendChild(toolbar);

    if (vm.notes.length) {
      const notes = el('section', 'notice');
      for (const n of vm.notes) add(notes, el('p', '', n));
      main.appendChild(notes);
    }

    const summary = el('div', 'summary');
    add(summary, metric('total cost', vm.totalCost.toFixed(2)));
    if (vm.planningTime !== undefined) add(summary, metric('planning', ms(vm.planningTime)));
    if (vm.executionTime !== undefined) add(summary, metric('execution', ms(vm.executionTime)));
    add(summary, metric('nodes', String(vm.nodes.length)));
    main.appendChild(summary);
    main.appendChild(tree(vm));

    if (vm.triggers.length) {
      const t = el('section', 'triggers');
      add(t, el('h2', '', 'Triggers'));
      for (const tr of vm.triggers) add(t, el('p', '', `${tr.name}${tr.relation ? ` on ${tr.relation}` : ''}${tr.time !== undefined ? `: ${ms(tr.time)}` : ''}${tr.calls !== undefined ? ` (${tr.calls} calls)` : ''}`));
      main.appendChild(t);
    }

    const adv = el('section', 'advice');
    add(adv, el('h2', '', 'Plan advice'));
    if (!vm.advice.length) add(adv, el('p', 'muted', 'No plan advice.'));
    vm.advice.forEach((a, i) => {
      const item = el('div', `item ${a.severity}`);
      add(item, el('div', 'what', `${a.severity} · ${a.rule} · ${a.nodeLabel}`), el('div', 'msg', a.message), el('div', 'help', a.help));
      const ddl = a.data && typeof a.data.createIndex === 'string' ? a.data.createIndex : undefined;
      if (ddl) {
        const actions = el('div', 'actions');
        const action = (label, type, title) => {
          const b = el('button', '', label);
          b.type = 'button';
          b.title = title;
          b.addEventListener('click', (ev) => {
            ev.stopPropagation();
            if (vscode) vscode.postMessage({ type, ddl, index: i });
          });
          return b;
        };
        add(
          actions,
          action('Try it', 'tryIndex', page.production ? 'Production connection: only with hypopg installed (a hypothetical index); pgready never builds an index there.' : 'EXPLAIN again with this index: hypothetical with hypopg, else built in a transaction that is rolled back (it locks the table against writes while it runs; you confirm first).'),
          action('Write migration', 'writeMigration', 'Create a migration file that builds this index CONCURRENTLY, in the project\'s migration dialect.'),
        );
        const result = el('div', 'try-result');
        results[i] = result;
        add(item, actions, result);
      }
      item.addEventListener('click', () => {
        const target = main.querySelector(`li.node[data-id="${CSS.escape(a.nodeId)}"]`);
        if (target) target.scrollIntoView({ block: 'center' });
      });
      adv.appendChild(item);
    });
    main.appendChild(adv);

    if (vm.settings && Object.keys(vm.settings).length) {
      const s = el('section', 'settings');
      add(s, el('h2', '', 'Non-default settings'));
      for (const [k, v] of Object.entries(vm.settings)) add(s, el('p', '', `${k} = ${v}`));
      main.appendChild(s);
    }
  }

  if (typeof module === 'object' && module.exports) module.exports = { render, showTry };
  if (typeof window !== 'undefined' && window.addEventListener) {
    window.addEventListener('message', (e) => {
      if (e.data && e.data.type === 'tryResult') showTry(e.data);
    });
  }
  if (typeof document !== 'undefined' && document.getElementById('plan-data')) {
    const page = JSON.parse(document.getElementById('plan-data').textContent);
    render(page, document.getElementById('plan'));
  }
})();
