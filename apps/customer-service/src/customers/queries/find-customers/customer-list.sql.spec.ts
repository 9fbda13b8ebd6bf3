import fc from 'fast-check';
import { CustomerListFilter, ORDERINGS } from './customer-list.params';
import { customerListSql } from './customer-list.sql';

const scope = { counterpartyGuid: '11111111-1111-4111-8111-111111111111', branchGuid: null };
const page = { offset: 0, limit: 50, ordering: '-created_at' as const };

describe('customerListSql', () => {
  it('puts every request value in a placeholder, never in the SQL text', () => {
    // A marker the SQL text cannot contain by itself, followed by anything (quotes, $1, --, …).
    const text = fc.string({ maxLength: 40 }).map((s) => `«value»${s}`);
    fc.assert(
      fc.property(text, text, text, (a, b, c) => {
        const filter: CustomerListFilter = { is_disabled: true, logins: [a], names: [b], search_string: c, statuses: [c] };
        const sql = customerListSql(scope, filter, page);
        for (const query of [sql.page, sql.total]) {
          expect(query.text).not.toContain('«value»');
          const placeholders = new Set(query.text.match(/\$\d+/g));
          expect(placeholders.size).toBe(query.values.length);
        }
      }),
    );
  });

  it('scopes every query by counterparty, and by branch for a branch-scoped reader', () => {
    const branch = { ...scope, branchGuid: '22222222-2222-4222-8222-222222222222' };
    const sql = customerListSql(branch, { is_disabled: false, kyc_levels: [1] }, page);
    expect(sql.page.text).toContain('counterparty_guid = $1 AND branch_guid = $2');
    expect(sql.page.values.slice(0, 2)).toEqual([scope.counterpartyGuid, branch.branchGuid]);
    expect(sql.total.text).toContain('counterparty_guid = $1 AND branch_key = $2 AND kyc_level = ANY($3::int[])');
    const searched = customerListSql(branch, { is_disabled: false, search_string: 'x' }, page);
    expect(searched.total.text).toContain('counterparty_guid = $1 AND branch_guid = $2');
  });

  it.each(ORDERINGS)('orders %s by its column, ties by customer_guid in the same direction', (ordering) => {
    const { text } = customerListSql(scope, { is_disabled: false }, { ...page, ordering }).page;
    const direction = ordering.startsWith('-') ? 'DESC' : 'ASC';
    expect(text).toContain(
      `ORDER BY customer_list_view.${ordering.replace('-', '')} ${direction}, customer_list_view.customer_guid ${direction} LIMIT`,
    );
  });

  it('refuses an ordering outside the allowlist even if parsing were bypassed', () => {
    expect(() => customerListSql(scope, { is_disabled: false }, { ...page, ordering: 'guid' as never })).toThrow('allowlist');
  });

  it('reads totals filtered at most by kyc_levels and segments from customer_counts, and counts matches otherwise', () => {
    expect(customerListSql(scope, { is_disabled: false }, page).total.text).toMatch(/sum\(enabled\).*FROM customer_counts/);
    expect(customerListSql(scope, { is_disabled: true }, page).total.text).toMatch(/sum\(enabled \+ disabled\).*FROM customer_counts/);
    const bucketed = customerListSql(scope, { is_disabled: false, kyc_levels: [1, 2], segments: ['PL'] }, page).total;
    expect(bucketed.text).toBe(
      'SELECT coalesce(sum(enabled), 0) AS total FROM customer_counts WHERE counterparty_guid = $1 AND kyc_level = ANY($2::int[]) AND segment_key = ANY($3::text[])',
    );
    expect(bucketed.values).toEqual([scope.counterpartyGuid, [1, 2], ['PL']]);
    const filtered = customerListSql(scope, { is_disabled: false, statuses: ['active'] }, { ...page, limit: 5, offset: 10 });
    expect(filtered.total.text).toMatch(/^SELECT count\(\*\) AS total FROM customer_list_view WHERE .*status = ANY\(\$2::text\[\]\)$/);
    expect(filtered.total.values).toEqual([scope.counterpartyGuid, ['active']]);
    expect(filtered.page.values).toEqual([scope.counterpartyGuid, ['active'], 5, 10]);
  });

  it('chooses the page ids under LIMIT/OFFSET first, then fetches their rows in the same order', () => {
    const { text } = customerListSql(scope, { is_disabled: false }, { ...page, offset: 50_000 }).page;
    expect(text).toMatch(
      /^SELECT .* FROM customer_list_view WHERE customer_guid IN \(SELECT customer_guid FROM customer_list_view WHERE .* LIMIT \$2 OFFSET \$3\) ORDER BY customer_list_view\.created_at DESC, customer_list_view\.customer_guid DESC LIMIT \$2$/s,
    );
  });

  it('passes search_string as a value, folded and its LIKE wildcards escaped by PostgreSQL (test/unicode-text.e2e-spec.ts)', () => {
    const { text, values } = customerListSql(scope, { is_disabled: false, search_string: '50%_off\\' }, page).page;
    expect(values).toContain('50%_off\\');
    expect(text).not.toContain('50%');
    expect(text).toMatch(/search_text LIKE '%' \|\| replace\(replace\(replace\(unicode_fold\(\$\d+\)/);
  });

  describe('after a cursor (keyset)', () => {
    const after = { key: '2026-01-01 00:00:00+00', guid: '0b7c3f0e-5f7a-4d47-9a55-2f0c1f7e9d21', snapshot: '100:105:101' };

    it('continues after the position on the ordering index, leaving out rows written after the walk began', () => {
      const { text, values } = customerListSql(scope, { is_disabled: false }, { ...page, after }).page;
      expect(text).toContain('(customer_list_view.created_at, customer_guid) < ($5::timestamptz, $4::uuid)');
      expect(text).toContain('pg_visible_in_snapshot(writer_xid, $3::pg_snapshot)');
      expect(text).not.toContain('OFFSET');
      expect(values).toEqual([scope.counterpartyGuid, 50, after.snapshot, after.guid, after.key]);
    });

    it.each([
      ['login', { key: 'ada', guid: after.guid }, /> \(\$\d+::text, \$\d+::uuid\).*UNION ALL.*login IS NULL/s],
      ['login', { key: null, guid: after.guid }, /login IS NULL AND customer_guid > \$\d+::uuid/],
      ['-login', { key: null, guid: after.guid }, /login IS NULL AND customer_guid < \$\d+::uuid.*UNION ALL.*login IS NOT NULL/s],
      ['-login', { key: 'ada', guid: after.guid }, /^(?!.*UNION).*< \(\$\d+::text, \$\d+::uuid\)/s],
    ])('crosses between values and NULLs of a nullable key in ordering %s', (ordering, position, pattern) => {
      expect(customerListSql(scope, { is_disabled: false }, { ...page, ordering: ordering as never, after: position }).page.text).toMatch(pattern);
    });

    it.each([
      ['created_at', 'yesterday'],
      ['created_at', '2026-02-30 00:00:00+00'],
      ['kyc_level', '1; DROP TABLE x'],
      ['balance_allowed', '1e9'],
    ])('refuses a key that column %s cannot hold (%s) before it reaches SQL', (ordering, key) => {
      expect(() => customerListSql(scope, { is_disabled: false }, { ...page, ordering: ordering as never, after: { key, guid: after.guid } })).toThrow('Request is invalid.');
    });
  });

  it('counts a search with a trigram by a column the created_at index lacks, one without by a constant', () => {
    for (const [searchString, counted] of [['kowal', 'version'], ['12345', 'version'], ['Ἀλέξ', 'version'], ['an', '1'], ['a%b', '1'], ['ив', '1']]) {
      const { text } = customerListSql(scope, { is_disabled: false, search_string: searchString }, page).total;
      expect(text.startsWith(`SELECT count(${counted}) AS total FROM (SELECT ${counted} FROM customer_list_view WHERE`)).toBe(true);
    }
  });
});
