/** A statement and its parameters. */
export interface SqlQuery {
  text: string;
  values: unknown[];
}

/** Collects values and hands out their placeholders: request values never enter SQL text. */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}
