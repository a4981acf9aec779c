/**
 * Typed readers for the fields of a model manifest: each returns the value or throws a
 * ManifestError that names the file, the field's path and what was expected.
 */

/** A manifest that cannot be used; the message names the file, the field and what was expected. */
export class ManifestError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    detail: string,
  ) {
    super(`${file}: ${field ? `${field}: ` : ''}${detail}`);
    this.name = 'ManifestError';
  }
}

type Fields = Record<string, unknown>;

export class FieldReader {
  constructor(private readonly file: string) {}

  fail(field: string, detail: string): never {
    throw new ManifestError(this.file, field, detail);
  }

  object(value: unknown, field: string): Fields {
    if (value === undefined || value === null) this.fail(field || '(document)', 'missing (expected a mapping)');
    if (typeof value !== 'object' || Array.isArray(value)) this.fail(field || '(document)', `expected a mapping, got ${describe(value)}`);
    return value as Fields;
  }

  /** A mapping that may be left out (null then). */
  optionalObject(obj: Fields, key: string, parent = ''): Fields | null {
    return has(obj, key) ? this.object(obj[key], join(parent, key)) : null;
  }

  string(obj: Fields, key: string, parent = ''): string {
    const value = this.present(obj, key, parent, 'a string');
    if (typeof value !== 'string' || value === '') this.fail(join(parent, key), `expected a non-empty string, got ${describe(value)}`);
    return value;
  }

  integer(obj: Fields, key: string, min: number, parent = ''): number {
    const value = this.present(obj, key, parent, 'an integer');
    if (typeof value !== 'number' || !Number.isInteger(value)) this.fail(join(parent, key), `expected an integer, got ${describe(value)}`);
    if (value < min) this.fail(join(parent, key), `expected an integer >= ${min}, got ${value}`);
    return value;
  }

  number(obj: Fields, key: string, range: { min: number; max: number }, parent = ''): number {
    const value = this.present(obj, key, parent, 'a number');
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(join(parent, key), `expected a finite number, got ${describe(value)}`);
    if (value < range.min || value > range.max) this.fail(join(parent, key), `expected a number in [${range.min}, ${range.max}], got ${value}`);
    return value;
  }

  boolean(obj: Fields, key: string, parent = ''): boolean {
    const value = this.present(obj, key, parent, 'true or false');
    if (typeof value !== 'boolean') this.fail(join(parent, key), `expected true or false, got ${describe(value)}`);
    return value;
  }

  oneOf<T extends string>(obj: Fields, key: string, allowed: readonly T[], parent = ''): T {
    const value = this.present(obj, key, parent, `one of ${allowed.join(', ')}`);
    if (!allowed.includes(value as T)) this.fail(join(parent, key), `expected one of ${allowed.join(', ')}, got ${describe(value)}`);
    return value as T;
  }

  numberArray(obj: Fields, key: string, length: number | undefined, parent = ''): number[] {
    const items = this.array(obj, key, length, parent, 'numbers');
    items.forEach((x, i) => {
      if (typeof x !== 'number' || !Number.isFinite(x)) this.fail(`${join(parent, key)}[${i}]`, `expected a finite number, got ${describe(x)}`);
    });
    return items as number[];
  }

  positiveArray(obj: Fields, key: string, length: number, parent = ''): number[] {
    const items = this.numberArray(obj, key, length, parent);
    items.forEach((x, i) => {
      if (x <= 0) this.fail(`${join(parent, key)}[${i}]`, `expected a positive number, got ${x}`);
    });
    return items;
  }

  booleanArray(obj: Fields, key: string, length: number, parent = ''): boolean[] {
    const items = this.array(obj, key, length, parent, 'booleans');
    items.forEach((x, i) => {
      if (typeof x !== 'boolean') this.fail(`${join(parent, key)}[${i}]`, `expected true or false, got ${describe(x)}`);
    });
    return items as boolean[];
  }

  stringArray(obj: Fields, key: string, parent = ''): string[] {
    const items = this.array(obj, key, undefined, parent, 'strings');
    items.forEach((x, i) => {
      if (typeof x !== 'string') this.fail(`${join(parent, key)}[${i}]`, `expected a string, got ${describe(x)}`);
    });
    return items as string[];
  }

  /** Fails if `obj` has a key outside `allowed` (a misspelt optional field would otherwise be ignored). */
  onlyKeys(obj: Fields, allowed: readonly string[], parent: string): void {
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key)) this.fail(join(parent, key), `unknown field (known here: ${allowed.join(', ')})`);
    }
  }

  private array(obj: Fields, key: string, length: number | undefined, parent: string, what: string): unknown[] {
    const value = this.present(obj, key, parent, `a list of ${what}`);
    if (!Array.isArray(value)) this.fail(join(parent, key), `expected a list of ${what}, got ${describe(value)}`);
    if (length !== undefined && value.length !== length) {
      this.fail(join(parent, key), `expected ${length} ${what}${parent === 'statistics' ? ' (one per action dimension)' : ''}, got ${value.length}`);
    }
    return value;
  }

  private present(obj: Fields, key: string, parent: string, what: string): unknown {
    // Own keys only: a manifest key such as "constructor" must not find Object.prototype's.
    const value = has(obj, key) ? obj[key] : undefined;
    if (value === undefined || value === null) this.fail(join(parent, key), `missing (expected ${what})`);
    return value;
  }
}

/** True when `obj` has `key` itself (not through its prototype) with a value other than undefined/null. */
export function has(obj: Fields, key: string): boolean {
  return Object.hasOwn(obj, key) && obj[key] !== undefined && obj[key] !== null;
}

export function join(parent: string, key: string): string {
  return parent ? `${parent}.${key}` : key;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}
