/**
 * What in a new version of a JSON Schema would break a consumer written against the old one
 * (issue 17): a removed or retyped field, a new required field, a narrowed enum. Such a change
 * needs a new event type version (`….v2`, a new schema beside the old one), never an edit.
 */
type Schema = Record<string, unknown>;

export function breakingChanges(released: unknown, current: unknown, at = ''): string[] {
  if (!isSchema(released) || !isSchema(current)) return [];
  const here = at || '/';
  const problems: string[] = [];
  if (!sameSet(types(released), types(current))) problems.push(`${here}: type changed from ${types(released).join('|')} to ${types(current).join('|')}`);
  for (const keyword of ['format', 'const', 'pattern'] as const) {
    if (JSON.stringify(released[keyword]) !== JSON.stringify(current[keyword])) problems.push(`${here}: ${keyword} changed`);
  }
  const removedValues = asList(released.enum).filter((value) => !asList(current.enum).some((item) => item === value));
  if (Array.isArray(current.enum) && removedValues.length > 0) problems.push(`${here}: enum narrowed (${removedValues.map(String).join(', ')} removed)`);
  const newlyRequired = asList(current.required).filter((name) => !asList(released.required).includes(name));
  for (const name of newlyRequired) problems.push(`${at}/${String(name)}: newly required`);
  const before = asSchemaMap(released.properties);
  const after = asSchemaMap(current.properties);
  for (const [name, schema] of Object.entries(before)) {
    if (!(name in after)) problems.push(`${at}/${name}: removed`);
    else problems.push(...breakingChanges(schema, after[name], `${at}/${name}`));
  }
  problems.push(...breakingChanges(released.items, current.items, `${at}/items`));
  return problems;
}

/** The JSON types a schema allows; a `const` or `enum` schema without `type` is typed by its values. */
function types(schema: Schema): string[] {
  if (schema.type !== undefined) return asList(schema.type).map(String).sort();
  const values = schema.const !== undefined ? [schema.const] : asList(schema.enum);
  return [...new Set(values.map((value) => (value === null ? 'null' : typeof value)))].sort();
}

const isSchema = (value: unknown): value is Schema => value !== null && typeof value === 'object' && !Array.isArray(value);
const asList = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const asSchemaMap = (value: unknown): Record<string, unknown> => (isSchema(value) ? value : {});
const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((item, i) => item === b[i]);
