// Sends abusive requests from a process of its own, so that generating them costs the test's
// own client (whose latencies are measured) nothing. Started by abuse.e2e-spec.ts with a JSON
// plan as its one argument: [{ name, parallel, method, url, headers, body }]. Runs each plan
// entry in `parallel` loops until its standard input closes. Prints a line `first <name>
// <status>` the first time an entry gets a status, and at the end the statuses it got, by
// entry, as one JSON line; then exits.
/** @type {{ name: string, parallel: number, method: string, url: string, headers: Record<string, string>, body?: string }[]} */
const plan = JSON.parse(process.argv[2]);
let stopping = false;
process.stdin.on('end', () => (stopping = true));
process.stdin.on('error', () => (stopping = true));
process.stdin.resume();

/** @type {Record<string, Record<string, number>>} */
const statuses = Object.fromEntries(plan.map((entry) => [entry.name, {}]));
await Promise.all(
  plan.flatMap((entry) =>
    Array.from({ length: entry.parallel }, async () => {
      while (!stopping) {
        let status;
        try {
          const reply = await fetch(entry.url, { method: entry.method, headers: entry.headers, body: entry.body });
          await reply.arrayBuffer();
          status = reply.status;
        } catch {
          status = 'error';
        }
        if (statuses[entry.name][status] === undefined) process.stdout.write(`first ${entry.name} ${status}\n`);
        statuses[entry.name][status] = (statuses[entry.name][status] ?? 0) + 1;
      }
    }),
  ),
);
process.stdout.write(`result ${JSON.stringify(statuses)}\n`);
process.exit(0);
