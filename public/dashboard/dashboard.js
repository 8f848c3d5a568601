// The analytics dashboard: a static page that reads the gateway's own APIs with the credential typed into it (kept
// in sessionStorage only; sent as a Bearer header, never in a URL). Every value is written with textContent, so names
// taken from traffic (task ids, models) can never inject markup.

const $ = (id) => document.getElementById(id);
const COLORS = ["#2457d6", "#e07a1f", "#2a9d63", "#c43b5a", "#7b4bc4", "#1f9fb3", "#8a8f22", "#6b6f80"];
const STEP = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const SPAN = { minute: 60, hour: 24, day: 30 };
const charts = {};

const credits = (micros) => (micros / 1e6).toFixed(4);
const pct = (r) => (r === null || r === undefined ? "–" : `${(r * 100).toFixed(1)}%`);
const ms = (v) => (v === null || v === undefined ? "–" : `${v} ms`);
const num = (v) => (v === null || v === undefined ? "–" : String(Math.round(v * 100) / 100));

/** What the page shows for each number; the browser test formats the API's numbers with the same functions. */
window.dashboardFormat = { credits, pct, ms, num };

function session() {
  return {
    mode: $("mode").value,
    credential: $("credential").value,
    tenant: $("tenant").value.trim(),
    interval: $("range").value,
    split: $("split").value,
  };
}

async function api(s, path) {
  const res = await fetch(path, { headers: { authorization: `Bearer ${s.credential}` } });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error?.message ?? `${path}: HTTP ${res.status}`);
  return body;
}

function analyticsPath(s, groupBy, from, to) {
  const q = new URLSearchParams({ interval: s.interval, from: String(from), to: String(to) });
  if (groupBy) q.set("group_by", groupBy);
  if (s.mode === "admin") {
    q.set("tenant", s.tenant);
    return `/admin/analytics?${q}`;
  }
  return `/v1/analytics?${q}`;
}

function buckets(interval, from, to) {
  const out = [];
  for (let t = Math.floor(from / STEP[interval]) * STEP[interval]; t < to; t += STEP[interval]) out.push(t);
  return out;
}

function label(t, interval) {
  const d = new Date(t);
  if (interval === "day") return d.toISOString().slice(5, 10);
  return d.toISOString().slice(11, 16);
}

function draw(id, config) {
  charts[id]?.destroy();
  config.options = {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    plugins: { legend: { labels: { boxWidth: 10 } } },
    ...config.options,
  };
  charts[id] = new window.Chart($(id), config);
}

/** One dataset per group: the metric per bucket (0 where the group had no traffic). */
function seriesByGroup(report, dim, starts, metric) {
  const groups = [...new Set(report.series.map((r) => r.group[dim] ?? ""))];
  return groups.map((g, i) => {
    const byStart = new Map(report.series.filter((r) => (r.group[dim] ?? "") === g).map((r) => [r.start, r]));
    return {
      label: g === "" ? "(none)" : g,
      data: starts.map((t) => metric(byStart.get(t))),
      backgroundColor: COLORS[i % COLORS.length],
      borderColor: COLORS[i % COLORS.length],
    };
  });
}

function line(labelText, data, color) {
  return { label: labelText, data, borderColor: color, backgroundColor: color, spanGaps: true, pointRadius: 2 };
}

function rows(tableId, items, cells) {
  const body = $(tableId).querySelector("tbody");
  body.replaceChildren();
  for (const item of items) {
    const tr = document.createElement("tr");
    for (const value of cells(item)) {
      const td = document.createElement("td");
      td.textContent = value;
      tr.append(td);
    }
    body.append(tr);
  }
}

function kpis(report) {
  const t = report.totals;
  const k = report.tasks;
  $("kpi-cost").textContent = credits(t.cost);
  $("kpi-requests").textContent = String(t.requests);
  $("kpi-calls-per-task").textContent = num(k.calls_per_task);
  $("kpi-cost-per-success").textContent =
    k.cost_per_successful_task === null ? "–" : credits(k.cost_per_successful_task);
  $("kpi-fallback").textContent = pct(t.fallback_rate);
  $("kpi-cache").textContent = pct(t.cache_hit_rate);
  $("kpi-retry").textContent = pct(t.retry_rate);
  $("kpi-p95").textContent = ms(t.p95_ms);
  $("kpi-premium").textContent = pct(t.premium_share);
}

async function accounts(s, byKey) {
  const spent = new Map(byKey.groups.map((g) => [g.group.key, g.cost]));
  let balances;
  if (s.mode === "admin") {
    const keys = await api(s, `/admin/keys?tenant=${encodeURIComponent(s.tenant)}`);
    const ids = new Set([...keys.data.map((k) => k.key_id), ...spent.keys()]);
    balances = await Promise.all(
      [...ids].map((id) =>
        api(s, `/admin/accounts/${encodeURIComponent(id)}/balance?tenant=${encodeURIComponent(s.tenant)}`).catch(
          () => ({ account_id: id, balance: null, held: null }),
        ),
      ),
    );
  } else {
    balances = [await api(s, "/v1/balance")];
  }
  rows("accounts", balances, (b) => [
    b.account_id,
    credits(spent.get(b.account_id) ?? 0),
    b.balance === null ? "–" : credits(b.balance),
    b.held === null ? "–" : credits(b.held),
  ]);
}

async function refusals(s) {
  const path =
    s.mode === "admin" ? `/admin/usage?tenant=${encodeURIComponent(s.tenant)}&limit=500` : "/v1/usage?limit=500";
  const events = (await api(s, path)).data.filter((e) => e.flags.some((f) => f.startsWith("refused:")));
  rows("refusals", events.slice(0, 20), (e) => [
    e.at.slice(0, 19).replace("T", " "),
    e.key_id,
    String(e.status),
    (e.flags.find((f) => f.startsWith("refused:")) ?? "").slice(8),
    e.model ?? "",
    e.task_id ?? "",
  ]);
}

async function show(s) {
  const to = Date.now();
  const from = to - SPAN[s.interval] * STEP[s.interval];
  const [all, split, byKey] = await Promise.all([
    api(s, analyticsPath(s, "", from, to)),
    api(s, analyticsPath(s, s.split, from, to)),
    api(s, analyticsPath(s, "key", from, to)),
  ]);
  const starts = buckets(s.interval, all.from, all.to);
  const labels = starts.map((t) => label(t, s.interval));
  const at = new Map(all.series.map((r) => [r.start, r]));
  const metric = (name) => starts.map((t) => at.get(t)?.[name] ?? null);
  kpis(all);
  draw("chart-cost", {
    type: "bar",
    data: { labels, datasets: seriesByGroup(split, s.split, starts, (r) => (r ? r.cost / 1e6 : 0)) },
    options: { scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: "credits" } } } },
  });
  draw("chart-task-cost", {
    type: "bar",
    data: {
      labels: all.tasks.cost_distribution.map((d) => (d.le === null ? "more" : `≤${d.le / 1e6}`)),
      datasets: [{ label: "tasks", data: all.tasks.cost_distribution.map((d) => d.tasks), backgroundColor: COLORS[0] }],
    },
  });
  rows("top-tasks", all.tasks.top, (t) => [t.task_id, String(t.calls), credits(t.cost), t.outcome]);
  draw("chart-cache", {
    type: "line",
    data: {
      labels,
      datasets: [
        line("served", metric("cache_hit_rate"), COLORS[0]),
        line("shadow", metric("shadow_hit_rate"), COLORS[1]),
      ],
    },
  });
  draw("chart-reliability", {
    type: "line",
    data: {
      labels,
      datasets: [line("fallback", metric("fallback_rate"), COLORS[3]), line("retry", metric("retry_rate"), COLORS[4])],
    },
  });
  draw("chart-latency", {
    type: "line",
    data: { labels, datasets: [line("p50", metric("p50_ms"), COLORS[2]), line("p95", metric("p95_ms"), COLORS[1])] },
  });
  draw("chart-premium", {
    type: "line",
    data: { labels, datasets: [line("premium share", metric("premium_share"), COLORS[5])] },
  });
  rows("top-keys", byKey.groups.slice(0, 10), (g) => [
    g.group.key,
    String(g.requests),
    credits(g.cost),
    String(g.errors),
  ]);
  await Promise.all([accounts(s, byKey), refusals(s)]);
  window.dashboardData = { all, split, byKey };
}

async function submit(event) {
  event?.preventDefault();
  const s = session();
  sessionStorage.setItem("gateway-dashboard", JSON.stringify({ ...s }));
  $("status").textContent = "Loading…";
  try {
    await show(s);
    $("board").hidden = false;
    $("status").textContent = "";
    document.body.dataset.ready = "true";
  } catch (err) {
    $("status").textContent = String(err.message ?? err);
  }
}

$("mode").addEventListener("change", () => {
  $("tenant").hidden = $("mode").value !== "admin";
});
$("login").addEventListener("submit", submit);
for (const id of ["range", "split"]) {
  $(id).addEventListener("change", () => {
    if ($("credential").value !== "") void submit();
  });
}
const saved = JSON.parse(sessionStorage.getItem("gateway-dashboard") ?? "null");
if (saved) {
  for (const [id, key] of [
    ["mode", "mode"],
    ["credential", "credential"],
    ["tenant", "tenant"],
    ["range", "interval"],
    ["split", "split"],
  ]) {
    if (saved[key] !== undefined) $(id).value = saved[key];
  }
  $("tenant").hidden = $("mode").value !== "admin";
  if (saved.credential) void submit();
}
