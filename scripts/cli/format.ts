/** Human-readable output for the admin CLI. `--json` bypasses all of this and prints the gateway's JSON. */

type Row = Record<string, unknown>;

/** Micro-credits as exact decimal credits (integer arithmetic, no float rounding): 1500000 -> "1.500000". */
export function credits(micros: unknown): string {
  if (typeof micros !== "number" || !Number.isSafeInteger(micros)) return String(micros);
  const sign = micros < 0 ? "-" : "";
  const abs = Math.abs(micros);
  return `${sign}${Math.floor(abs / 1_000_000)}.${String(abs % 1_000_000).padStart(6, "0")}`;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return "-";
  if (Array.isArray(value)) return value.length === 0 ? "-" : value.join(",");
  return String(value);
}

export function table(rows: Row[], columns: [header: string, pick: (row: Row) => unknown][]): string {
  if (rows.length === 0) return "(none)";
  const cells = rows.map((row) => columns.map(([, pick]) => cell(pick(row))));
  const widths = columns.map(([header], i) => Math.max(header.length, ...cells.map((r) => (r[i] ?? "").length)));
  const line = (parts: string[]) =>
    parts
      .map((p, i) => p.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(columns.map(([header]) => header.toUpperCase())), ...cells.map(line)].join("\n");
}

/** `label: value` lines with aligned values. */
export function fields(pairs: [label: string, value: unknown][]): string {
  const width = Math.max(...pairs.map(([label]) => label.length));
  return pairs.map(([label, value]) => `${`${label}:`.padEnd(width + 1)} ${cell(value)}`).join("\n");
}

export function keyFields(key: Row): string {
  return fields([
    ["key id", key.key_id],
    ["prefix", key.prefix],
    ["tenant", key.tenant],
    ["name", key.name],
    ["status", key.status],
    ["created", key.created_at],
    ["expires", key.expires_at],
    ["revoked", key.revoked_at],
    ["routes", key.routes ?? "(all of the tenant's)"],
    ["scopes", key.scopes],
    ["tags", key.tags],
  ]);
}

export function balanceFields(b: Row): string {
  return fields([
    ["account", b.account_id],
    ["tenant", b.tenant],
    ["balance", `${credits(b.balance)} credits (${cell(b.balance)} micro-credits)`],
    ["held", `${credits(b.held)} credits in ${cell(b.open_holds)} open hold(s)`],
    ["credited", `${credits(b.credited)} credits`],
    ["billed", `${credits(b.billed)} credits`],
  ]);
}

export function cacheStatsFields(s: Row): string {
  const counts = (s.counts ?? {}) as Row;
  const rate = (v: unknown) => (typeof v === "number" ? `${(v * 100).toFixed(1)}%` : "-");
  const summary = fields([
    ["tenant", s.tenant],
    ["backend", s.backend],
    ["entries", s.entries],
    ["hit / miss", `${cell(counts.hit)} / ${cell(counts.miss)} (hit rate ${rate(s.hit_rate)})`],
    ["shadow", `${cell(counts.shadow)} would-be hits (${rate(s.shadow_hit_rate)})`],
    ["bypass", counts.bypass],
  ]);
  const log = Array.isArray(s.shadow_log) ? (s.shadow_log as Row[]) : [];
  if (log.length === 0) return summary;
  // What shadow mode is for: judging, pair by pair, whether the would-be hit was right before turning hits on.
  return `${summary}\n\nShadow observations (newest first; would the entry's answer fit the prompt?):\n${shadowTable(log)}`;
}

const score = (v: unknown) => (typeof v === "number" ? v.toFixed(4) : v);

/** A prompt on one line, cut to `max` characters. */
function clip(text: unknown, max = 48): unknown {
  if (typeof text !== "string") return text;
  const line = text.replace(/\s+/g, " ").trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

function shadowTable(log: Row[]): string {
  return table(log, [
    ["at", (r) => r.at],
    ["model", (r) => r.model],
    ["kind", (r) => r.kind],
    ["cosine", (r) => score(r.cosine)],
    ["score", (r) => score(r.score)],
    ["age s", (r) => (typeof r.entry_age_ms === "number" ? Math.round(r.entry_age_ms / 1000) : r.entry_age_ms)],
    ["prompt", (r) => clip(r.prompt)],
    ["cached prompt", (r) => clip(r.entry_prompt)],
  ]);
}

export function keysTable(keys: Row[]): string {
  return table(keys, [
    ["key id", (k) => k.key_id],
    ["status", (k) => k.status],
    ["name", (k) => k.name],
    ["created", (k) => k.created_at],
    ["expires", (k) => k.expires_at],
    ["routes", (k) => k.routes ?? "all"],
  ]);
}

export function entriesTable(entries: Row[]): string {
  return table(entries, [
    ["seq", (e) => e.seq],
    ["at", (e) => e.at],
    ["type", (e) => e.type],
    ["amount", (e) => credits(e.amount)],
    ["balance after", (e) => credits(e.balance_after)],
    ["reference / request", (e) => e.reference ?? e.request_id],
    ["flags", (e) => e.flags],
  ]);
}

export function usageTable(events: Row[]): string {
  return table(events, [
    ["at", (e) => e.at],
    ["feature", (e) => e.feature],
    ["task", (e) => e.task_id],
    ["key", (e) => e.key_id],
    ["model", (e) => e.model],
    ["provider", (e) => e.provider],
    ["in", (e) => e.input_tokens],
    ["out", (e) => e.output_tokens],
    ["cost", (e) => credits(e.cost)],
    ["status", (e) => e.status],
    ["request", (e) => e.request_id],
    ["cache", (e) => e.cache],
    ["latency ms", (e) => e.latency_ms],
  ]);
}
