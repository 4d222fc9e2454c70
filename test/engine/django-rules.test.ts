import * as assert from 'assert';
import * as path from 'path';
import { analyzeFiles } from '../../src/engine';
import { analyzeCase, FIXTURES, ready$, readTree, ROOT } from '../helpers';

// Rules speaking Django: messages and help in Django's terms (fixtures only check where findings start).

const rules = path.join(FIXTURES, 'rules');
const find = (r: ReturnType<typeof analyzeFiles>, rule: string, where: string) => {
  const f = r.findings.find((x) => x.rule === rule && !x.strength && `${x.span?.file}:${x.span?.line}` === where);
  assert.ok(f, `${rule} at ${where}: ${r.findings.filter((x) => x.rule === rule).map((x) => `${x.span?.file}:${x.span?.line}`).join(', ')}`);
  return f!;
};

describe('rules in a Django project', () => {
  before(ready$);
  let ex: ReturnType<typeof analyzeFiles>;
  before(() => (ex = analyzeFiles(readTree(path.join(ROOT, 'examples/django-library')))));

  it('missing-downgrade: RunPython without reverse_code, with Django help', () => {
    const f = find(ex, 'missing-downgrade', 'library/migrations/0003_backfill_status.py:15');
    assert.match(f.message, /IrreversibleError/);
    assert.match(f.help, /reverse_code=.*RunPython\.noop.*reverse_sql=/);
    const ok = analyzeCase(path.join(rules, 'missing-downgrade/django-reversible'));
    assert.match(ok.findings.find((x) => x.rule === 'missing-downgrade' && x.strength)!.message, /All 2 Django migrations are reversible.*manage\.py migrate/);
  });

  it('multiple-migration-heads: leaves per app, merge help; other apps\' dependencies are not dangling', () => {
    const r = analyzeCase(path.join(rules, 'multiple-migration-heads/django-conflict'));
    const f = find(r, 'multiple-migration-heads', 'library/migrations/0002_book_isbn.py:4');
    assert.match(f.message, /App "library" has 2 leaf migrations \(library\.0002_book_isbn, library\.0002_book_notes\)/);
    assert.strictEqual(f.help, 'Run python manage.py makemigrations --merge library and commit the merge migration.');
    const all = r.findings.filter((x) => x.rule === 'multiple-migration-heads');
    assert.strictEqual(all.length, 1, 'one conflict, one finding');
    assert.deepStrictEqual(all[0].related?.map((x) => `${x.span.file}:${x.span.line}`), ['library/migrations/0002_book_notes.py:4']);
    const d = analyzeCase(path.join(rules, 'multiple-migration-heads/django-dangling'));
    assert.match(find(d, 'multiple-migration-heads', 'library/migrations/0003_book_notes.py:4').message, /library\.0002_book_isbm.*NodeNotFoundError/);
  });

  it('n-plus-one: select_related for a related object, prefetch_related for a collection, no AsyncSession', () => {
    const one = find(ex, 'n-plus-one', 'library/views.py:11');
    assert.strictEqual(one.help, 'Eager-load it on the queryset: .select_related("author")');
    assert.doesNotMatch(one.message, /AsyncSession|lazy=/);
    assert.strictEqual(one.fix, undefined);
    assert.strictEqual(find(ex, 'n-plus-one', 'library/views.py:24').help, 'Eager-load it on the queryset: .prefetch_related("books")');
  });

  it('index rules: db_index=False, Meta.indexes, GinIndex with AddIndexConcurrently', () => {
    assert.match(find(ex, 'missing-fk-index', 'library/models.py:34').help, /^Remove db_index=False from Book\.publisher .*AddIndexConcurrently.*atomic = False/);
    assert.match(find(ex, 'missing-filter-index', 'library/views.py:48').help, /^Add models\.Index\(fields=\["card_number"\], name="…"\) to Member\.Meta\.indexes .*AddIndexConcurrently/);
    assert.match(find(ex, 'missing-filter-index', 'library/views.py:10').help, /fields=\["status", "created_at"\]/);
    assert.match(find(ex, 'ilike-without-trigram-index', 'library/views.py:36').help, /^GinIndex\(fields=\["title"\], opclasses=\["gin_trgm_ops"\].*TrigramExtension\(\), then AddIndexConcurrently/);
  });

  it('missing-unique-constraint: get_or_create race, MultipleObjectsReturned, unique=True / UniqueConstraint', () => {
    const f = find(ex, 'missing-unique-constraint', 'accounts/models.py:31');
    assert.match(f.message, /get_or_create\(\).*MultipleObjectsReturned/);
    assert.doesNotMatch(f.message, /MultipleResultsFound/);
    assert.match(f.help, /models\.UniqueConstraint\(fields=\["user", "label"\]/);
    assert.match(find(ex, 'missing-unique-constraint', 'library/views.py:48').help, /unique=True on Member\.card_number.*IntegrityError/);
  });

  it('missing-query-timeout: DATABASES entry, OPTIONS help, CONN_HEALTH_CHECKS strength', () => {
    const f = find(ex, 'missing-query-timeout', 'config/settings.py:9');
    assert.match(f.message, /^DATABASES\["default"\]/);
    assert.match(f.help, /"OPTIONS": \{"options": "-c statement_timeout=5000/);
    const r = analyzeCase(path.join(rules, 'missing-query-timeout/django-settings'));
    assert.match(r.findings.find((x) => x.rule === 'missing-query-timeout' && x.strength)!.message, /^CONN_HEALTH_CHECKS is on/);
  });

  it('sql-injection: request.GET is user input, not an allow-list; Django bind help', () => {
    const r = analyzeCase(path.join(rules, 'sql-injection/django-request-get'));
    assert.match(find(r, 'sql-injection', 'shop/views.py:10').message, /request\.GET/);
    assert.match(find(ex, 'sql-injection', 'library/views.py:59').help, /objects\.raw\("… WHERE status = %s", \[status\]\)/);
  });
});
