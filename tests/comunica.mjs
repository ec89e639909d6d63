// Runs SPARQL queries through Comunica (@comunica/query-sparql) for tests/comunica.py.
//
// stdin: {"jobs": [{"query": "...", "sources": [...], "context": {...}}], "httpTimeout": ms}
// stdout: one JSON array, an answer per job, in order:
//   {"type": "bindings", "variables": [...], "rows": [{name: term}], "warnings": [...]}
//   {"type": "boolean", "value": true, "warnings": [...]}
//   {"type": "quads", "quads": [[s, p, o, g]], "warnings": [...]}
//   {"error": "message", "warnings": [...]}
// A term is {"termType", "value", "datatype", "language"}. One engine answers every job (Comunica
// takes about a second to start), its HTTP cache emptied between jobs so that each job fetches
// what it reads. Warnings are what Comunica logged at level warn or above during the job.

import { QueryEngine } from '@comunica/query-sparql';

function term(t) {
  const out = { termType: t.termType, value: t.value };
  if (t.termType === 'Literal') {
    out.datatype = t.datatype.value;
    out.language = t.language || '';
  }
  return out;
}

class Collector {
  constructor() { this.messages = []; }
  keep(level, message, data) {
    const extra = data ? ` ${JSON.stringify(data)}` : '';
    this.messages.push(`${level}: ${message}${extra}`);
  }
  trace() {}
  debug() {}
  info() {}
  warn(message, data) { this.keep('warn', message, data); }
  error(message, data) { this.keep('error', message, data); }
  fatal(message, data) { this.keep('fatal', message, data); }
  // The rest of Comunica's Logger: repeated messages are kept each time, nothing is buffered.
  logGrouped(key, emit) { emit(1); }
  flush() {}
}

async function variablesOf(result) {
  const metadata = await result.metadata();
  return metadata.variables.map((v) => (v.variable ?? v).value);
}

async function answer(engine, job, httpTimeout) {
  const log = new Collector();
  const context = { sources: job.sources, log, httpTimeout, ...(job.context ?? {}) };
  try {
    const result = await engine.query(job.query, context);
    if (result.resultType === 'bindings') {
      const variables = await variablesOf(result);
      const stream = await result.execute();
      const rows = (await stream.toArray()).map((binding) => {
        const row = {};
        for (const [variable, value] of binding) row[variable.value] = term(value);
        return row;
      });
      return { type: 'bindings', variables, rows, warnings: log.messages };
    }
    if (result.resultType === 'boolean') {
      return { type: 'boolean', value: await result.execute(), warnings: log.messages };
    }
    if (result.resultType === 'quads') {
      const stream = await result.execute();
      const quads = (await stream.toArray()).map((q) =>
        [q.subject, q.predicate, q.object, q.graph].map(term));
      return { type: 'quads', quads, warnings: log.messages };
    }
    return { error: `unexpected result type ${result.resultType}`, warnings: log.messages };
  } catch (error) {
    return { error: String(error && error.message ? error.message : error), warnings: log.messages };
  }
}

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const engine = new QueryEngine();
  const answers = [];
  for (const job of request.jobs) {
    await engine.invalidateHttpCache();
    answers.push(await answer(engine, job, request.httpTimeout ?? 20000));
  }
  // A pipe is written asynchronously: exit once all of it is out (Comunica's open connections
  // would otherwise keep the process alive).
  await new Promise((resolve) => process.stdout.write(JSON.stringify(answers), resolve));
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
    process.exit(1);
  },
);
