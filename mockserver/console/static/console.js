// The console's behaviour: every read and change goes through the admin API (/__admin), as a script would.
"use strict";

const ADMIN = "/__admin";
const TOKEN_KEY = "mock-admin-token";
const DEMO_CREDENTIALS = {
  overit: "Authorization: Bearer demo-overit-token",
  oracle: "Basic user demo-oracle-user",
  energycap: "ECI-ApiKey: demo-energycap-key",
  tesma: "X-API-KEY: demo-tesma-key",
};
// The header that carries each API's credential, and how "copy as curl" writes it as a placeholder.
const CREDENTIAL_PLACEHOLDERS = {
  authorization: (value) => (value.toLowerCase().startsWith("basic") ? "Authorization: Basic $BASIC_CREDENTIALS" : "Authorization: Bearer $TOKEN"),
  "eci-apikey": () => "ECI-ApiKey: $API_KEY",
  "x-api-key": () => "X-API-KEY: $API_KEY",
};
const NOT_FOR_CURL = new Set(["host", "content-length", "connection", "accept-encoding", "user-agent"]);
// The APIs whose data reads differently through the API than in a snapshot (GET /tenants/{id}/view/{api}):
// Oracle computes NetValue.
const VIEWED_APIS = new Set(["oracle"]);
const JOURNAL_KEPT = 500;
const JOURNAL_SHOWN = 200;
const JOURNAL_FLUSH_MS = 250;

class Unauthorized extends Error {}

// Journal entries streamed in but not yet in the table (kept outside Alpine's reactive state on purpose).
const arrived = [];

function shellQuote(text) {
  return "'" + String(text).replaceAll("'", "'\\''") + "'";
}

document.addEventListener("alpine:init", () => {
  Alpine.data("mockConsole", () => ({
    DEMO_CREDENTIALS,
    tab: "overview",
    flash: "",
    token: sessionStorage.getItem(TOKEN_KEY) || "",
    tokenRefused: false,
    needsToken: false,
    begun: false,
    health: null,
    operations: [],
    rules: [],
    ruleQuery: "",
    ruleApi: "",
    trying: "",
    tried: null,
    tenants: [],
    created: null,
    journal: [],
    journalFilter: { api: "", operationId: "", status: "", tenant: "" },
    selected: null,
    curl: "",
    replayed: "",
    streaming: false,
    lastSeen: null,
    faults: [],
    faultForm: { api: "", operationId: "", status: "", otherStatus: "", retryAfter: "", latency: "", latencyHigh: "", drop: false, times: "", probability: "", seed: "" },
    clock: null,
    advance: { amount: 1, unit: "3600" },
    freezeAt: "",
    dataTenant: "",
    dataApi: "",
    data: null,
    views: {},
    versionEdit: null,

    async start() {
      const fromHash = () => {
        const wanted = location.hash.slice(1);
        if (document.getElementById(wanted)) this.tab = wanted;
      };
      fromHash();
      window.addEventListener("hashchange", fromHash);
      this.health = await (await fetch(ADMIN + "/health")).json();
      await this.loadThenBegin();
    },

    // The page's data, then its live updates; a refused token has already asked for another one.
    async loadThenBegin() {
      try {
        await this.loadAll();
      } catch (error) {
        if (!(error instanceof Unauthorized)) this.show(error);
        return;
      }
      this.begin();
    },

    // The stream and the once-a-second refresh, started once whatever the token prompts before.
    begin() {
      if (this.begun) {
        if (!this.streaming) this.stream();
        return;
      }
      this.begun = true;
      this.stream();
      setInterval(() => this.tick(), 1000);
    },

    async loadAll() {
      const [operations, tenants, faults, clock, journal] = await Promise.all([
        this.call("GET", "/operations"), this.call("GET", "/tenants"), this.call("GET", "/faults"),
        this.call("GET", "/clock"), this.call("GET", "/requests?limit=200"),
      ]);
      this.operations = operations.operations;
      this.rules = this.operations.flatMap((op) => op.rules.map((rule) => ({ ...rule, api: op.api, operationId: op.operationId, method: op.method })));
      this.tenants = tenants.tenants;
      this.faults = faults.rules;
      this.clock = clock;
      this.journal = journal.requests;
      this.lastSeen = journal.requests.length ? journal.requests[0].id : null;
    },

    // Refreshes what changes on its own: the clock, fault counts, tenants, the data shown (jobs advance).
    async tick() {
      if (this.needsToken) return;
      try {
        this.clock = await this.call("GET", "/clock");
        if (this.tab === "faults") this.faults = (await this.call("GET", "/faults")).rules;
        if (["tenants", "data", "journal"].includes(this.tab)) this.tenants = (await this.call("GET", "/tenants")).tenants;
        if (this.tab === "data" && this.dataTenant) await this.loadData();
      } catch (error) {
        if (!(error instanceof Unauthorized)) this.show(error);
      }
    },

    headers(extra = {}) {
      return this.token ? { ...extra, Authorization: "Bearer " + this.token } : extra;
    },

    async call(method, path, body) {
      const options = { method, headers: this.headers() };
      if (body !== undefined) {
        options.headers["Content-Type"] = "application/json";
        options.body = JSON.stringify(body);
      }
      const response = await fetch(ADMIN + path, options);
      if (response.status === 401) {
        this.askToken(Boolean(this.token));
        throw new Unauthorized();
      }
      const answer = response.headers.get("content-type")?.includes("json") ? await response.json() : await response.text();
      if (!response.ok) throw new Error(`${method} ${ADMIN}${path}: ${response.status} ${answer.detail || answer.title || answer}`);
      return answer;
    },

    askToken(refused) {
      this.needsToken = true;
      this.tokenRefused = refused;
      if (!this.$refs.tokenDialog.open) this.$refs.tokenDialog.showModal();
    },

    async saveToken(value) {
      this.token = value;
      sessionStorage.setItem(TOKEN_KEY, value);
      this.needsToken = false;
      this.$refs.tokenDialog.close();
      await this.loadThenBegin();
    },

    show(error) {
      this.flash = String(error.message || error);
    },

    async copy(text) {
      try {
        await navigator.clipboard.writeText(text);
      } catch {
        // No clipboard (an insecure origin): the text stays on the page to select by hand.
      }
    },

    // --- Overview
    shownRules() {
      const words = this.ruleQuery.toLowerCase().split(/\s+/).filter(Boolean);
      return this.rules.filter((rule) => {
        if (this.ruleApi && rule.api !== this.ruleApi) return false;
        const text = [rule.id, rule.rule, rule.status, rule.code, rule.source, rule.operationId, rule.api, ...(rule.assumed || [])].join(" ").toLowerCase();
        return words.every((word) => text.includes(word));
      });
    },

    // Runs the rule's conformance scenario against this mock (the suite as its own process) and shows the verdict.
    async tryRule(ruleId) {
      this.trying = ruleId;
      this.tried = null;
      try {
        this.tried = await this.call("POST", `/rules/${ruleId}/run`);
      } catch (error) {
        if (!(error instanceof Unauthorized)) this.show(error);
      } finally {
        this.trying = "";
      }
    },

    // --- Tenants
    tenantName(fingerprint) {
      if (!fingerprint) return "";
      const known = this.tenants.find((t) => t.id === fingerprint);
      return known?.label ? `${known.label} (${fingerprint})` : fingerprint;
    },

    async createTenant(label, file) {
      const body = {};
      if (label) body.label = label;
      try {
        if (file) body.snapshot = JSON.parse(await file.text());
        this.created = await this.call("POST", "/tenants", body);
        this.tenants = (await this.call("GET", "/tenants")).tenants;
      } catch (error) {
        if (!(error instanceof Unauthorized)) this.show(error);
      }
    },

    async downloadSnapshot(tenant) {
      try {
        const snapshot = await this.call("GET", `/tenants/${tenant.id}/state`);
        const link = document.createElement("a");
        link.href = URL.createObjectURL(new Blob([JSON.stringify(snapshot, null, 2)], { type: "application/json" }));
        link.download = `snapshot-${tenant.label ? tenant.label.replace(/[^A-Za-z0-9_-]+/g, "-") : tenant.id}.json`;
        link.click();
        URL.revokeObjectURL(link.href);
      } catch (error) {
        if (!(error instanceof Unauthorized)) this.show(error);
      }
    },

    async restoreSnapshot(tenant, file) {
      if (!file) return;
      try {
        await this.call("PUT", `/tenants/${tenant.id}/state`, JSON.parse(await file.text()));
        this.flash = `Tenant ${tenant.label || tenant.id} restored from ${file.name}.`;
        if (this.dataTenant === tenant.id) await this.loadData();
      } catch (error) {
        if (!(error instanceof Unauthorized)) this.show(error);
      }
    },

    async resetTenant(tenant) {
      try {
        await this.call("POST", `/tenants/${tenant.id}/reset`);
        this.flash = `Tenant ${tenant.label || tenant.id} is back to the dataset.`;
        if (this.dataTenant === tenant.id) await this.loadData();
      } catch (error) {
        if (!(error instanceof Unauthorized)) this.show(error);
      }
    },

    showData(fingerprint) {
      this.dataTenant = fingerprint;
      location.hash = "data";
      this.loadData();
    },

    // --- Journal
    async stream() {
      // fetch, not EventSource: EventSource cannot send the admin token.
      for (;;) {
        try {
          const after = this.lastSeen === null ? "" : `?after=${this.lastSeen}`;
          const response = await fetch(`${ADMIN}/requests/stream${after}`, { headers: this.headers() });
          if (response.status === 401) {
            this.askToken(true);
            return;
          }
          this.streaming = response.ok;
          const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
          let pending = "";
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            pending += value;
            let end;
            while ((end = pending.indexOf("\n\n")) >= 0) {
              this.onEvent(pending.slice(0, end));
              pending = pending.slice(end + 2);
            }
          }
        } catch {
          // The mock restarted or the network dropped: try again shortly.
        }
        this.streaming = false;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    },

    // New entries wait here and join the table at most four times a second: under load, one re-render per
    // exchange would cost the browser (and a machine it shares with the mock) more than the mock itself.
    flushJournal() {
      this.flushing = false;
      if (!arrived.length) return;
      const known = new Set(this.journal.map((entry) => entry.id));
      const fresh = arrived.filter((entry) => !known.has(entry.id)).reverse();
      arrived.length = 0;
      this.journal = [...fresh, ...this.journal].slice(0, JOURNAL_KEPT);
    },

    onEvent(block) {
      let kind = "message";
      let data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) kind = line.slice(7);
        else if (line.startsWith("data: ")) data += line.slice(6);
      }
      if (kind === "ready" && this.lastSeen === null) this.lastSeen = JSON.parse(data).last;
      if (kind !== "exchange") return;
      const entry = JSON.parse(data);
      this.lastSeen = entry.id;
      arrived.push(entry);
      if (!this.flushing) {
        this.flushing = true;
        setTimeout(() => this.flushJournal(), JOURNAL_FLUSH_MS);
      }
    },

    shownJournal() {
      const f = this.journalFilter;
      return this.journal.filter((e) => (!f.api || e.api === f.api) && (!f.operationId || e.operationId === f.operationId)
        && (!f.status || String(e.status) === f.status.trim()) && (!f.tenant || e.tenant === f.tenant)).slice(0, JOURNAL_SHOWN);
    },

    async clearJournal() {
      try {
        await this.call("DELETE", "/requests");
        this.journal = [];
        this.selected = null;
      } catch (error) {
        if (!(error instanceof Unauthorized)) this.show(error);
      }
    },

    // The stream sends summaries; the request and response come when an entry is opened.
    async open(entry) {
      this.curl = "";
      this.replayed = "";
      try {
        this.selected = entry.request ? entry : await this.call("GET", `/requests/${entry.id}`);
      } catch (error) {
        if (!(error instanceof Unauthorized)) this.show(error.message.includes(" 404 ") ? "That entry has left the journal." : error);
      }
    },

    // The rule whose code the answer carries: read from the catalogue, never restated here.
    ruleOf(entry) {
      if (!entry || !(entry.status >= 400)) return null;
      let body;
      try {
        body = JSON.parse(entry.response.body.text);
      } catch {
        return null;
      }
      const codes = new Set();
      const collect = (node) => {
        if (Array.isArray(node)) node.forEach(collect);
        else if (node && typeof node === "object") {
          for (const [key, value] of Object.entries(node)) {
            if (typeof value === "string" && /code$/i.test(key)) codes.add(value);
            else collect(value);
          }
        }
      };
      collect(body);
      return this.rules.find((rule) => rule.api === entry.api && rule.operationId === entry.operationId
        && rule.status === entry.status && codes.has(rule.code)) || null;
    },

    curlOf(entry) {
      const parts = ["curl", "-X", entry.method, shellQuote(location.origin + entry.path + (entry.query ? "?" + entry.query : ""))];
      for (const [name, value] of Object.entries(entry.request.headers)) {
        const lower = name.toLowerCase();
        if (NOT_FOR_CURL.has(lower)) continue;
        const placeholder = CREDENTIAL_PLACEHOLDERS[lower];
        parts.push("-H", placeholder ? `"${placeholder(value)}"` : shellQuote(`${name}: ${value}`));
      }
      if (entry.request.body.text) parts.push("--data-binary", shellQuote(entry.request.body.text));
      return parts.join(" ");
    },

    async sendAgain(entry) {
      try {
        const answer = await this.call("POST", `/requests/${entry.id}/replay`);
        this.replayed = `sent again: ${answer.status ?? "connection dropped"}`;
      } catch (error) {
        if (!(error instanceof Unauthorized)) this.show(error);
      }
    },

    headerText(headers) {
      return Object.entries(headers).map(([name, value]) => `${name}: ${value}`).join("\n");
    },

    pretty(text) {
      try {
        return JSON.stringify(JSON.parse(text), null, 2);
      } catch {
        return text;
      }
    },

    // --- Faults
    faultStatuses() {
      const chosen = this.operations.filter((op) => (!this.faultForm.api || op.api === this.faultForm.api)
        && (!this.faultForm.operationId || op.operationId === this.faultForm.operationId));
      const statuses = chosen.map((op) => new Set(op.statuses.filter((s) => s >= 400)));
      if (!statuses.length) return [];
      // A rule over several operations may answer only what every one of them documents.
      return [...statuses[0]].filter((s) => statuses.every((set) => set.has(s))).sort();
    },

    faultFromForm() {
      const f = this.faultForm;
      const rule = {};
      if (f.api) rule.api = f.api;
      if (f.operationId) rule.operationId = f.operationId;
      if (f.status === "other") {
        rule.status = Number(f.otherStatus);
        rule.undocumented = true;
      } else if (f.status) rule.status = Number(f.status);
      if (f.status === "429" && f.retryAfter !== "") rule.retryAfter = Number(f.retryAfter);
      if (f.latency !== "") rule.latencyMs = f.latencyHigh !== "" ? [Number(f.latency), Number(f.latencyHigh)] : Number(f.latency);
      if (f.drop) rule.drop = true;
      if (f.times !== "") rule.times = Number(f.times);
      if (f.probability !== "") rule.probability = Number(f.probability);
      if (f.seed !== "") rule.seed = Number(f.seed);
      return rule;
    },

    asGiven(rule) {
      const { id, hits, remaining, ...given } = rule;
      return given;
    },

    async putFaults(rules) {
      try {
        this.faults = (await this.call("PUT", "/faults", { rules })).rules;
      } catch (error) {
        if (!(error instanceof Unauthorized)) this.show(error);
      }
    },

    addFault() {
      return this.putFaults([...this.faults.map((rule) => this.asGiven(rule)), this.faultFromForm()]);
    },

    removeFault(rule) {
      return this.putFaults(this.faults.filter((kept) => kept.id !== rule.id).map((kept) => this.asGiven(kept)));
    },

    async removeAllFaults() {
      try {
        this.faults = (await this.call("DELETE", "/faults")).rules;
      } catch (error) {
        if (!(error instanceof Unauthorized)) this.show(error);
      }
    },

    faultEffect(rule) {
      const effects = [];
      if (rule.status) effects.push(`answers ${rule.status}${rule.undocumented ? " (undocumented)" : ""}`);
      if (rule.latencyMs !== undefined) effects.push(`waits ${Array.isArray(rule.latencyMs) ? rule.latencyMs.join("–") : rule.latencyMs} ms`);
      if (rule.drop) effects.push("drops the connection");
      if (rule.probability !== undefined) effects.push(`with probability ${rule.probability}${rule.seed !== undefined ? ` (seed ${rule.seed})` : ""}`);
      return effects.join(", ");
    },

    // --- Clock
    async moveClock(change) {
      try {
        this.clock = await this.call("PUT", "/clock", change);
        if (this.dataTenant) await this.loadData();
      } catch (error) {
        if (!(error instanceof Unauthorized)) this.show(error);
      }
    },

    // --- Data
    async loadData() {
      if (!this.dataTenant) {
        this.data = null;
        return;
      }
      try {
        const tenant = this.dataTenant;
        const data = await this.call("GET", `/tenants/${tenant}/state`);
        if (!this.dataApi || !(this.dataApi in data)) this.dataApi = Object.keys(data)[0] || "";
        const views = {};
        if (VIEWED_APIS.has(this.dataApi) && this.dataApi in data) {
          views[this.dataApi] = await this.call("GET", `/tenants/${tenant}/view/${this.dataApi}`);
        }
        if (tenant !== this.dataTenant) return; // another tenant was chosen meanwhile
        [this.data, this.views] = [data, views];
      } catch (error) {
        if (!(error instanceof Unauthorized)) this.show(error);
      }
    },

    async runJobs() {
      try {
        await this.call("POST", `/tenants/${this.dataTenant}/jobs/run`);
        await this.loadData();
      } catch (error) {
        if (!(error instanceof Unauthorized)) this.show(error);
      }
    },

    // Each list in the API's section as a table; OverIT's nested accounts as one row per measure.
    tablesOf(api) {
      const section = this.data?.[api] || {};
      const tables = [];
      for (const [name, rows] of Object.entries(section)) {
        if (!Array.isArray(rows) || !rows.length || typeof rows[0] !== "object") continue;
        if (api === "overit" && name === "accounts") {
          const measures = rows.flatMap((account) => (account.measuringElements || []).flatMap((element) =>
            (element.measures || []).map((measure) => ({ account: account.code ?? account.id, element: element.id, elementName: element.name, ...measure }))));
          tables.push(this.table("measures", measures));
          tables.push(this.table("accounts", rows.map(({ measuringElements, ...account }) => ({ ...account, measuringElements: (measuringElements || []).length }))));
          continue;
        }
        if (api === "oracle" && name === "readings" && this.views.oracle) {
          tables.push(this.table("readings (as the API answers them, NetValue included)", this.views.oracle.meterReadings));
          continue;
        }
        tables.push(this.table(name, rows));
      }
      return tables;
    },

    table(name, rows) {
      const columns = [];
      for (const row of rows) for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
      return { name, columns, rows };
    },

    cell(value) {
      if (value === undefined || value === null) return "";
      return typeof value === "object" ? JSON.stringify(value) : String(value);
    },

    cellClass(column, value) {
      return column === "status" ? `tag ${value}` : "";
    },

    // One chart per meter from the readings as the API answers them. ReadingValue (left scale) and NetValue (right
    // scale) each get their own scale: after a rollover NetValue is a counter's whole range above ReadingValue.
    oracleCharts() {
      const byMeter = new Map();
      for (const reading of this.views.oracle?.meterReadings || []) {
        if (!byMeter.has(reading.MeterId)) byMeter.set(reading.MeterId, []);
        byMeter.get(reading.MeterId).push(reading);
      }
      const width = 560;
      const height = 160;
      const pad = 24;
      const charts = [];
      for (const [meterId, readings] of byMeter) {
        readings.sort((a, b) => a.ReadingDate.localeCompare(b.ReadingDate));
        const times = readings.map((r) => Date.parse(r.ReadingDate));
        const values = readings.map((r) => r.ReadingValue ?? 0);
        const nets = readings.map((r) => r.NetValue ?? 0);
        const [t0, t1] = [Math.min(...times), Math.max(...times)];
        const range = (series) => [Math.min(0, ...series), Math.max(...series)];
        const [v0, v1] = range(values);
        const [n0, n1] = range(nets);
        const x = (t) => pad + (t1 === t0 ? 0.5 : (t - t0) / (t1 - t0)) * (width - 2 * pad);
        const scale = (lo, hi) => (v) => height - pad - (hi === lo ? 0.5 : (v - lo) / (hi - lo)) * (height - 2 * pad);
        const [y, yNet] = [scale(v0, v1), scale(n0, n1)];
        const mark = (i) => `M${x(times[i]) - 4},${y(values[i])}a4,4 0 1,0 8,0a4,4 0 1,0 -8,0`;
        const kindOf = (r) => (r.DisabledFlag ? "disabled" : r.ResetFlag ? "reset" : r.RolloverFlag ? "rollover" : "normal");
        const kinds = { normal: "", reset: "", rollover: "", disabled: "" };
        readings.forEach((r, i) => (kinds[kindOf(r)] += mark(i)));
        // A disabled reading no longer counts: both lines go through the active ones only.
        const live = readings.map((r, i) => i).filter((i) => !readings[i].DisabledFlag);
        const polyline = (series, at) => live.map((i) => `${x(times[i])},${at(series[i])}`).join(" ");
        const netMarks = live.map((i) => `M${x(times[i]) - 3},${yNet(nets[i]) - 3}h6v6h-6z`).join("");
        const count = (kind) => readings.filter((r) => kindOf(r) === kind).length;
        const lastLive = live.length ? readings[live.at(-1)] : null;
        const first = readings[0];
        const name = [first.AssetNumber || first.MeterUsageCode, first.MeterCode].filter(Boolean).join(" · ") || "meter";
        charts.push({
          meterId, width, height,
          title: `${name} (meter ${meterId}): ${readings.length} readings, ${first.ReadingDate.slice(0, 10)} → ${readings.at(-1).ReadingDate.slice(0, 10)}`,
          axes: `M${pad},${pad / 2}V${height - pad}H${width - pad}V${pad / 2}`,
          valueLine: polyline(values, y),
          netLine: polyline(nets, yNet),
          liveCount: live.length,
          points: { ...kinds, net: netMarks },
          min: String(v0), max: String(v1), netMin: String(n0), netMax: String(n1), span: `${first.ReadingDate.slice(0, 10)} → ${readings.at(-1).ReadingDate.slice(0, 10)}`,
          summary: `${count("reset")} reset, ${count("rollover")} rollover, ${count("disabled")} disabled`,
          latest: lastLive ? `latest active: ReadingValue ${lastLive.ReadingValue ?? "—"}, NetValue ${lastLive.NetValue ?? "—"}` : "no active reading",
        });
      }
      return charts;
    },

    // The form starts from the version as the snapshot shows it; each UDF the tenant defines gets a field.
    editVersion(channel, version) {
      const values = Object.fromEntries((version.udfs || []).map((udf) => [udf.udfId, udf.value]));
      this.versionEdit = {
        meterId: channel.meterId, channelId: channel.channelId, versionId: version.versionId,
        beginDate: version.beginDate ? version.beginDate.slice(0, 10) : "",
        unitCode: version.unitCode, multiplier: version.multiplier, maximumReading: version.maximumReading,
        observationRule: version.observationRule,
        udfs: (this.data?.energycap?.udfs || []).map((udf) => ({ udfId: udf.udfId, name: udf.name, value: values[udf.udfId] ?? "", was: values[udf.udfId] })),
        answer: "",
      };
    },

    // Sent through the EnergyCAP API as the tenant (POST /tenants/{id}/send): the vendor's rules decide.
    async saveVersion() {
      const edit = this.versionEdit;
      const body = {
        unitCode: edit.unitCode, multiplier: edit.multiplier, maximumReading: edit.maximumReading,
        observationRule: edit.observationRule,
        // A cleared field that had a value loses it; an untouched empty one is left out (keeps nothing).
        udfs: edit.udfs.filter((u) => u.value !== "" || u.was !== undefined).map((u) => ({ udfId: u.udfId, value: u.value === "" ? null : u.value })),
      };
      if (edit.beginDate) body.beginDate = edit.beginDate;
      try {
        const answer = await this.call("POST", `/tenants/${this.dataTenant}/send`, {
          api: "energycap", method: "PUT", body,
          path: `/v202101/meter/${edit.meterId}/channel/${edit.channelId}/version/${edit.versionId}`,
        });
        const said = answer.status >= 400 ? `: ${answer.body?.message || answer.body?.detail || JSON.stringify(answer.body)}` : "";
        edit.answer = `EnergyCAP answered ${answer.status}${said}`;
        await this.loadData();
      } catch (error) {
        if (!(error instanceof Unauthorized)) this.show(error);
      }
    },

    versionWeight(version) {
      const begin = version.beginDate ? Date.parse(version.beginDate) : Date.parse("2000-01-01");
      const end = version.endDate ? Date.parse(version.endDate) : Math.max(Date.now(), begin + 365 * 86400e3);
      return Math.max(1, Math.round((end - begin) / 86400e3));
    },

    udfText(version) {
      const names = Object.fromEntries((this.data?.energycap?.udfs || []).map((udf) => [udf.udfId, udf.name]));
      return (version.udfs || []).map((udf) => `${names[udf.udfId] || "UDF " + udf.udfId}: ${udf.value ?? "—"}`).join(" · ");
    },
  }));
});
