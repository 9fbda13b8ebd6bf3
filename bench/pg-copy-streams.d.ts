// The part of pg-copy-streams 7's API the benchmark uses (bench/seed.mjs). pg-copy-streams ships
// no types; this is its CommonJS exports: a COPY … FROM STDIN stream, submitted by node-postgres.
declare module 'pg-copy-streams' {
  import type { Writable } from 'node:stream';
  import type { Connection, Submittable } from 'pg';

  /** What `from(sql)` returns: pass it to `client.query()`, then write COPY text lines to it. */
  export interface CopyStreamQuery extends Writable, Submittable {
    submit: (connection: Connection) => void;
    /** Rows COPYed, once the stream has finished. */
    rowCount: number;
  }

  const copyStreams: {
    /** A `COPY … FROM STDIN` statement as a writable stream. */
    from(sql: string): CopyStreamQuery;
  };
  export = copyStreams;
}
