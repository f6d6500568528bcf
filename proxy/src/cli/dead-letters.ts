/**
 * `fo-bridge dead-letters …`: dead letters from the command line (the same operations as the
 * admin API), against STORE_URL:
 *
 *   fo-bridge dead-letters list    [--flow F] [--code C] [--since ISO] [--until ISO] [--limit N] [--json]
 *   fo-bridge dead-letters show    <id>
 *   fo-bridge dead-letters replay  <id>
 *   fo-bridge dead-letters replay  --flow F [--code C] [--since ISO] [--until ISO] [--limit N] [--dry-run]
 *   fo-bridge dead-letters replay  --all [--limit N]
 *   fo-bridge dead-letters discard <id> --reason "why"
 *
 * Exit codes: 0 ok, 1 operation refused (not found, not dead), 2 usage, 3 store unavailable.
 */
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { JobsError, StoreUnavailableError } from '../jobs/errors.js';
import { openStore, redactUrl } from '../jobs/store.js';
import type { DeadLetterFilter, Job } from '../jobs/types.js';

export interface CliIo {
  env: Record<string, string | undefined>;
  out: (line: string) => void;
  err: (line: string) => void;
  clock?: () => number;
}

const FILTER = '[--flow F] [--code C] [--since ISO] [--until ISO]';

/** `--help` of each subcommand; the overview is all of them. */
const HELP: Record<string, string> = {
  list: `fo-bridge dead-letters list ${FILTER} [--limit N] [--cursor X] [--json]
  Dead letters, newest first (50 by default, at most 500 per page; --cursor pages on).`,
  show: `fo-bridge dead-letters show <id>
  One job as JSON: payload, last error, attempts and its audit trail.`,
  replay: `fo-bridge dead-letters replay <id>
fo-bridge dead-letters replay ${FILTER} [--limit N] [--dry-run]
fo-bridge dead-letters replay --all [--limit N]
  Queue dead letters again (a newer version of the same record supersedes instead).
  --dry-run lists what would be replayed.`,
  discard: `fo-bridge dead-letters discard <id> --reason "why"
  Give up on a dead letter for good; the reason is kept in the audit trail.`,
};

export const DEAD_LETTERS_USAGE = `usage: fo-bridge dead-letters <list|show|replay|discard> [options]   (reads STORE_URL)

${Object.values(HELP).join('\n\n')}

Exit codes: 0 ok, 1 refused (not found, not dead), 2 usage, 3 store unavailable.`;
const USAGE = DEAD_LETTERS_USAGE;

class UsageError extends Error {}

function filterFrom(v: Record<string, string | boolean | undefined>): DeadLetterFilter {
  const f: DeadLetterFilter = {};
  if (typeof v.flow === 'string') f.flow = v.flow;
  if (typeof v.code === 'string') f.code = v.code;
  for (const k of ['since', 'until'] as const) {
    const s = v[k];
    if (typeof s === 'string') {
      const t = Date.parse(s);
      if (Number.isNaN(t)) throw new UsageError(`--${k} must be an ISO date/time, got "${s}"`);
      f[k] = t;
    }
  }
  return f;
}

function limitFrom(v: string | boolean | undefined, def: number, max: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`--limit must be 1..${max}`);
  return n;
}

const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());
const line = (j: Job) =>
  [
    j.id,
    j.flow,
    j.key,
    j.version,
    iso(j.finishedAt),
    j.lastError?.code ?? '-',
    (j.lastError?.message ?? '').slice(0, 80),
  ].join('\t');

export async function runDeadLettersCli(argv: string[], io: CliIo): Promise<number> {
  const clock = io.clock ?? Date.now;
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        flow: { type: 'string' },
        code: { type: 'string' },
        since: { type: 'string' },
        until: { type: 'string' },
        limit: { type: 'string' },
        cursor: { type: 'string' },
        reason: { type: 'string' },
        all: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    io.err(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values: v, positionals } = parsed;
  const [command, id] = positionals;
  if (v.help) {
    io.out(HELP[command ?? ''] ?? USAGE);
    return 0;
  }
  if (!command) {
    io.err(USAGE);
    return 2;
  }
  if (!(command in HELP)) {
    io.err(`unknown command "${command}"\n${USAGE}`);
    return 2;
  }
  const url = io.env.STORE_URL;
  if (!url) {
    io.err('STORE_URL is not set (e.g. STORE_URL=sqlite:./data/bridge.db or postgres://user@host:5432/db)');
    return 2;
  }
  const actor = `cli:${io.env.USER ?? safeUser()}`;
  let store;
  try {
    store = await openStore(url);
  } catch (e) {
    io.err(`cannot open store ${redactUrl(url)}: ${(e as Error).message}`);
    return 3;
  }
  try {
    switch (command) {
      case 'list': {
        const page = await store.listDeadLetters(filterFrom(v), {
          limit: limitFrom(v.limit, 50, 500),
          cursor: v.cursor ?? null,
        });
        if (v.json) io.out(JSON.stringify(page, null, 2));
        else {
          io.out(['id', 'flow', 'key', 'version', 'dead at', 'code', 'message'].join('\t'));
          for (const j of page.items) io.out(line(j));
          io.out(
            `${page.items.length} dead letter(s)${page.nextCursor ? `; next page: --cursor ${page.nextCursor}` : ''}`,
          );
        }
        return 0;
      }
      case 'show': {
        if (!id) throw new UsageError('show needs a job id');
        const job = await store.getJob(id);
        if (!job) {
          io.err(`no job with id ${id}`);
          return 1;
        }
        io.out(JSON.stringify({ ...job, audit: await store.getAudit(id) }, null, 2));
        return 0;
      }
      case 'replay': {
        if (id) {
          const r = await store.replay(id, { now: clock(), actor });
          io.out(`${r.job.id}\t${r.outcome}${r.outcome === 'superseded' ? `\t${r.job.note ?? ''}` : ''}`);
          return 0;
        }
        const filter = filterFrom(v);
        if (Object.keys(filter).length === 0 && !v.all) {
          throw new UsageError('replay needs an id, a filter (--flow, --code, --since, --until) or --all');
        }
        const limit = limitFrom(v.limit, 100, 10_000);
        if (v['dry-run']) {
          const page = await store.listDeadLetters(filter, { limit });
          for (const j of page.items) io.out(line(j));
          io.out(`dry run: ${page.items.length} dead letter(s) would be replayed`);
          return 0;
        }
        const results = await store.replayMany(filter, { now: clock(), actor, limit });
        for (const r of results) io.out(`${r.job.id}\t${r.outcome}`);
        const requeued = results.filter((r) => r.outcome === 'requeued').length;
        io.out(`replayed ${requeued}, superseded ${results.length - requeued}`);
        return 0;
      }
      case 'discard': {
        if (!id) throw new UsageError('discard needs a job id');
        if (!v.reason?.trim()) throw new UsageError('discard needs --reason "why" (kept for audit)');
        const job = await store.discard(id, { now: clock(), reason: v.reason.trim(), actor });
        io.out(`${job.id}\tdiscarded`);
        return 0;
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`${e.message}\n${USAGE}`);
      return 2;
    }
    if (e instanceof StoreUnavailableError) {
      io.err(e.message);
      return 3;
    }
    if (e instanceof JobsError) {
      io.err(`${e.code}: ${e.message}`);
      return 1;
    }
    throw e;
  } finally {
    await store.close();
  }
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
