// The operator console. The credential stays in this tab's sessionStorage and goes only in the Authorization header
// of requests to this origin (the gateway), never in a URL. Every number shown comes from the platform's APIs, which
// decide what the credential may see.
"use strict";
(() => {
  const KEY = "gocoffee.console.credential";
  const $ = (id) => document.getElementById(id);
  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (name === "class") node.className = value; else node.setAttribute(name, value);
    }
    for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child ?? "")));
    return node;
  };
  const ONBOARDING = ["tenant_created", "provisioning_started", "namespaces_provisioned"];
  let refreshTimer = null;
  let feedAbort = null;
  let refreshSoon = null;

  async function api(path) {
    const response = await fetch(path, { headers: { Authorization: `Bearer ${sessionStorage.getItem(KEY)}`, Accept: "application/json" } });
    if (response.status === 401) { signOut("The credential was refused (401)."); throw new Error("401"); }
    if (!response.ok) throw new Error(`${path}: ${response.status}`);
    return response.json();
  }

  async function signIn(event) {
    event?.preventDefault();
    const value = $("credential").value.trim();
    if (value) sessionStorage.setItem(KEY, value);
    $("credential").value = "";
    if (!sessionStorage.getItem(KEY)) return;
    try {
      await api("/api/tenants?pageSize=1");
    } catch (error) {
      if (String(error.message) !== "401") { $("signin-error").textContent = `Sign-in failed: ${error.message}`; $("signin-error").hidden = false; }
      return;
    }
    $("signin").hidden = true;
    $("dashboard").hidden = false;
    $("who").hidden = false;
    await refresh();
    refreshTimer = setInterval(refresh, 5000);
    startFeed();
  }

  function signOut(reason) {
    sessionStorage.removeItem(KEY);
    clearInterval(refreshTimer);
    feedAbort?.abort();
    $("dashboard").hidden = true;
    $("who").hidden = true;
    $("signin").hidden = false;
    $("signin-error").textContent = reason || "";
    $("signin-error").hidden = !reason;
  }

  async function refresh() {
    const [tenants, alerts, business] = await Promise.all([
      api("/api/tenants?pageSize=100"),
      api("/api/observability/alerts").catch(() => ({ items: [] })),
      api("/api/observability/console/business?minutes=30").catch(() => null),
    ]);
    const me = await api("/api/observability/console/me");
    $("scope").textContent = me.tenantId ? `tenant ${me.tenantId}` : "platform admin";
    $("kpi-tenants").textContent = tenants.total;
    $("kpi-provisioning").textContent = tenants.items.filter((t) => ["Pending", "Provisioning", "Terminating"].includes(t.phase)).length;
    $("kpi-alerts").textContent = alerts.items.length;
    renderAlerts(alerts.items);
    if (business) renderBusiness(business);
    await renderTenants(tenants.items);
  }

  async function renderTenants(items) {
    const body = $("tenants").querySelector("tbody");
    const rows = [];
    const workloads = [];
    for (const summary of items) {
      const id = summary.tenantId;
      const [tenant, audit, quota, ai] = await Promise.all([
        api(`/api/tenants/${encodeURIComponent(id)}`).catch(() => null),
        api(`/api/tenants/${encodeURIComponent(id)}/audit?limit=50`).catch(() => []),
        api(`/api/tenants/${encodeURIComponent(id)}/quota`).catch(() => null),
        api(`/api/ai/workloads?tenantId=${encodeURIComponent(id)}&pageSize=100`).catch(() => null),
      ]);
      const conditions = tenant?.status?.conditions ?? [];
      const phaseCell = el("td", {}, el("span", { class: `phase phase-${summary.phase}` }, summary.phase));
      if (["Pending", "Provisioning"].includes(summary.phase)) {
        // Onboarding's steps: created, provisioning started, namespaces provisioned, then Active.
        const reached = ONBOARDING.filter((name) => audit.some((e) => e.event === name)).length;
        phaseCell.append(" ", el("progress", { max: String(ONBOARDING.length + 1), value: String(reached), title: `${reached} of ${ONBOARDING.length + 1} onboarding steps done` }));
      }
      const chips = el("td", {}, ...conditions.map((c) => el("span", { class: `chip ${c.status}`, title: c.message ?? "" }, `${c.type}`)));
      const steps = el("ol", { class: "steps" }, ...audit.slice(-8).map(step));
      rows.push(el("tr", { "data-tenant": id }, el("td", {}, id), el("td", {}, summary.tier), phaseCell, chips, el("td", {}, steps)));
      for (const w of ai?.items ?? []) {
        const detail = await api(`/api/ai/workloads/${encodeURIComponent(w.name)}?tenantId=${encodeURIComponent(id)}&namespace=${encodeURIComponent(w.namespace)}`).catch(() => null);
        workloads.push({ tenant: id, w, quota, detail });
      }
    }
    body.replaceChildren(...rows);
    renderWorkloads(workloads);
  }

  // A saga step from the tenant's event stream; a failed cluster step shows its compensation (the objects rolled back).
  function step(e) {
    const failed = /fail/i.test(e.event);
    const removed = e.data?.removedObjects ?? e.data?.RemovedObjects;
    const item = el("li", { class: failed ? "compensation" : "", "data-step": shortName(e.event) }, `${shortName(e.event)} `);
    if (failed) {
      const what = e.data?.step ?? e.data?.Step ?? "";
      item.append(`${what ? `(${what}) ` : ""}→ compensated: ${Array.isArray(removed) ? removed.length : 0} object(s) rolled back `);
    }
    item.append(el("span", { class: "muted" }, time(e.at)));
    return item;
  }

  function renderWorkloads(items) {
    const body = $("workloads").querySelector("tbody");
    body.replaceChildren(...items.map(({ tenant, w, quota, detail }) => {
      const gpuTotal = quota?.total?.gpus ?? 0;
      const gpuUsed = (quota?.committed?.gpus ?? 0) + (quota?.reserved?.gpus ?? 0);
      const gpu = detail?.spec?.resources?.gpu;
      const utilisation = detail?.status?.performance?.resourceUtilization?.gpu;
      const gpuCell = el("td", {}, gpu ? `${gpu.count ?? 0}× ${gpu.type ?? "GPU"} ` : "none ");
      if (typeof utilisation === "number") {
        const percent = utilisation <= 1 ? utilisation * 100 : utilisation;
        gpuCell.append(bar(percent, 100), ` ${Math.round(percent)}% busy`);
      }
      return el("tr", { "data-tenant": tenant },
        el("td", {}, tenant), el("td", {}, `${w.name} (${w.model}${w.modelVersion ? ` ${w.modelVersion}` : ""})`), el("td", {}, el("span", { class: `phase phase-${w.phase}` }, w.phase)),
        el("td", {}, bar(w.readyReplicas, Math.max(w.replicas, 1)), ` ${w.readyReplicas}/${w.replicas} ready`),
        gpuCell,
        el("td", {}, bar(gpuUsed, Math.max(gpuTotal, 1)), ` ${gpuUsed}/${gpuTotal} GPUs`));
    }));
    if (items.length === 0) body.append(el("tr", {}, el("td", { colspan: "6", class: "muted" }, "No AI workloads.")));
  }

  function renderAlerts(items) {
    $("alerts").replaceChildren(...items.map((a) => el("li", { "data-tenant": a.tenantId ?? "" },
      el("span", { class: `sev-${a.severity}` }, a.alertName), ` ${a.tenantId ? `(${a.tenantId}) ` : ""}${a.summary ?? ""} `, el("span", { class: "muted" }, `since ${time(a.startsAt)}`))));
    if (items.length === 0) $("alerts").append(el("li", { class: "muted" }, "Nothing is firing."));
  }

  function renderBusiness(business) {
    $("kpi-orders").textContent = business.orders;
    $("kpi-revenue").textContent = Object.entries(business.revenue).map(([currency, amount]) => `${amount.toFixed(2)} ${currency}`).join(", ") || "0";
    const buckets = business.perMinute;
    const max = Math.max(1, ...buckets.map((b) => b.orders));
    const ns = "http://www.w3.org/2000/svg";
    const node = (tag, attrs, text) => {
      const n = document.createElementNS(ns, tag);
      for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
      if (text !== undefined) n.textContent = text;
      return n;
    };
    const width = 600, height = 150, left = 28, bottom = 18, plot = height - bottom - 6, step = (width - left) / buckets.length;
    const svg = node("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": `Orders per minute over the last ${buckets.length} minutes: ${business.orders} placed, ${business.paid} paid` });
    for (const fraction of max >= 2 ? [0, 0.5, 1] : [0, 1]) {
      const y = 6 + plot * (1 - fraction);
      svg.append(node("line", { x1: left, x2: width, y1: y, y2: y, class: "grid" }), node("text", { x: 0, y: y + 3 }, Math.round(max * fraction)));
    }
    buckets.forEach((b, i) => {
      const x = left + i * step;
      for (const [count, cls, offset] of [[b.orders, "orders", 0.1], [b.paid, "paid", 0.5]]) {
        const h = (count / max) * plot;
        const rect = node("rect", { x: x + step * offset, width: step * 0.38, y: 6 + plot - h, height: h, class: cls });
        rect.append(node("title", {}, `${time(b.minute)}: ${b.orders} placed, ${b.paid} paid`));
        svg.append(rect);
      }
      if (i % 5 === 0) svg.append(node("text", { x, y: height - 4 }, new Date(b.minute).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })));
    });
    $("orders-chart").replaceChildren(svg, el("p", { class: "muted legend" }, "brown: placed · green: paid"));
  }

  // Server-sent events read with fetch, so the credential travels in a header (EventSource cannot send one).
  async function startFeed() {
    feedAbort?.abort();
    const abort = new AbortController();
    feedAbort = abort;
    while (!abort.signal.aborted) {
      try {
        const response = await fetch("/api/observability/console/feed", { headers: { Authorization: `Bearer ${sessionStorage.getItem(KEY)}`, Accept: "text/event-stream" }, signal: abort.signal });
        if (!response.ok) throw new Error(String(response.status));
        $("feed-state").textContent = "live";
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const message = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = message.split("\n").filter((line) => line.startsWith("data: ")).map((line) => line.slice(6)).join("\n");
            if (data) addToFeed(JSON.parse(data));
          }
        }
      } catch (error) {
        if (abort.signal.aborted) return;
        $("feed-state").textContent = `reconnecting (${error.message})…`;
      }
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }

  function addToFeed(entry) {
    if (document.querySelector(`#feed li[data-id="${entry.id}"]`)) return;
    const item = el("li", { "data-id": entry.id, "data-type": entry.type, "data-tenant": entry.tenantId ?? "", class: "new" }, el("time", {}, time(entry.at)), entry.summary);
    $("feed").prepend(item);
    while ($("feed").children.length > 200) $("feed").lastChild.remove();
    if (entry.type.startsWith("tenant.") || entry.type.startsWith("alert.") || entry.type.startsWith("order.")) {
      clearTimeout(refreshSoon);
      refreshSoon = setTimeout(() => refresh().catch(() => {}), 500);
    }
  }

  const bar = (value, max) => {
    const fill = el("i");
    fill.style.width = `${Math.min(100, (100 * value) / max)}%`; // CSSOM, which the page's style-src 'self' allows
    return el("span", { class: "bar", title: `${value} of ${max}` }, fill);
  };
  const time = (at) => new Date(at).toLocaleTimeString();
  const shortName = (name) => String(name).replace(/_/g, " ").replace(/^.*\./, "");

  $("signin").addEventListener("submit", signIn);
  $("signout").addEventListener("click", () => signOut());
  if (sessionStorage.getItem(KEY)) signIn();
})();
