/* The collaborators' offline app (/field/): the hamlet kept on the phone, changes queued while offline.
 *
 * What the phone keeps lives in IndexedDB ("portal-field", one store "kv"):
 *   meta     the snapshot's facts: account, hamlet, CSRF token, until when it may be kept (wipe_at),
 *            the limits, the reference lists, the month's report sheets;
 *   base     the hamlet's records as the server last sent them (by id);
 *   queue    the changes not yet accepted: one entry per record (edits of a record before it is sent
 *            are merged into its entry), each with its own change_id (a retried batch adds nothing
 *            twice: the server remembers every change_id) and the version it started from;
 *   device   this phone's id.
 * Nothing beyond the snapshot of the account's own hamlet is stored. Everything is wiped at logout, when
 * wipe_at passes (the session's end), and when another account logs in on the phone.
 *
 * Sync (when online, at start, every minute, and on "Sync now"): send the queue, then fetch a new
 * snapshot. A change made against an older version comes back as a conflict, shown with both versions
 * for the collaborator to choose; nothing is overwritten silently.
 *
 * The page's texts come from the server in the user's language (#field-texts); every value is put in
 * with textContent, never as HTML.
 */
(function () {
  "use strict";

  var T = JSON.parse(document.getElementById("field-texts").textContent);
  var DB_NAME = "portal-field";
  var MAX_BATCH = 100;
  var SHEET_KEY = "__report__";
  var state = { meta: null, base: {}, queue: [], device: null, view: "list", editing: null, filter: "", notice: null, syncing: false, sessionEnded: false };

  /* ---------- storage ---------- */

  function openDb() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = function () { req.result.createObjectStore("kv"); };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  function load() {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction("kv", "readonly");
        var store = tx.objectStore("kv");
        var out = {};
        ["meta", "base", "queue", "device"].forEach(function (key) {
          var r = store.get(key);
          r.onsuccess = function () { out[key] = r.result; };
        });
        tx.oncomplete = function () { db.close(); resolve(out); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function save() {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction("kv", "readwrite");
        var store = tx.objectStore("kv");
        store.put(state.meta, "meta");
        store.put(state.base, "base");
        store.put(state.queue, "queue");
        store.put(state.device, "device");
        tx.oncomplete = function () { db.close(); resolve(); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function storedBytes() {
    return new Blob([JSON.stringify([state.meta, state.base, state.queue])]).size;
  }

  /* Forget what the phone keeps. ``everything``: the app's caches too (at logout; the server's answer to
   * the logout also sends Clear-Site-Data). The cached shell and scripts hold no record. */
  function wipe(everything) {
    state.meta = null; state.base = {}; state.queue = [];
    var steps = [new Promise(function (resolve) {
      var req = indexedDB.deleteDatabase(DB_NAME);
      req.onsuccess = req.onerror = req.onblocked = function () { resolve(); };
    })];
    if (everything && window.caches) {
      steps.push(caches.keys().then(function (names) {
        return Promise.all(names.map(function (n) { return caches.delete(n); }));
      }));
    }
    return Promise.all(steps);
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  /* ---------- dates ---------- */

  function toIso(text) {
    var m = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/.exec(text || "");
    if (!m) { return null; }
    var d = +m[1], mo = +m[2], y = +m[3];
    var dt = new Date(Date.UTC(y, mo - 1, d));
    if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) { return null; }
    return y + "-" + String(mo).padStart(2, "0") + "-" + String(d).padStart(2, "0");
  }

  function fromIso(iso) {
    if (!iso) { return ""; }
    var p = String(iso).slice(0, 10).split("-");
    return p.length === 3 ? p[2] + "/" + p[1] + "/" + p[0] : String(iso);
  }

  function when(iso) {
    var d = new Date(iso);
    return String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0") + " " +
      String(d.getDate()).padStart(2, "0") + "/" + String(d.getMonth() + 1).padStart(2, "0") + "/" + d.getFullYear();
  }

  function periodLabel(key) {
    var p = String(key).split("-");
    return fmt(T.month, { m: +p[1], y: p[0] });
  }

  /* ---------- the DOM ---------- */

  function el(tag, attrs, kids) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) { return; }
      if (k === "text") { node.textContent = v; }
      else if (k.indexOf("on") === 0) { node.addEventListener(k.slice(2), v); }
      else { node.setAttribute(k, v === true ? "" : v); }
    });
    (kids || []).forEach(function (kid) {
      if (kid === null || kid === undefined) { return; }
      node.appendChild(typeof kid === "string" ? document.createTextNode(kid) : kid);
    });
    return node;
  }

  function fmt(text, values) {
    return Object.keys(values).reduce(function (s, k) { return s.split("{" + k + "}").join(String(values[k])); }, text);
  }

  function name(item) { return (document.documentElement.lang === "en" ? item.name_en : item.name_vi) || item.code; }

  function optionList(pairs, selected, blank) {
    var opts = blank ? [el("option", { value: "", text: blank })] : [];
    pairs.forEach(function (p) { opts.push(el("option", { value: p[0], selected: p[0] === selected, text: p[1] })); });
    return opts;
  }

  /* ---------- records as the phone shows them ---------- */

  function entryFor(key) {
    for (var i = 0; i < state.queue.length; i++) {
      if (state.queue[i].key === key && state.queue[i].status !== "sending") { return state.queue[i]; }
    }
    return null;
  }

  function records() {
    var out = {};
    Object.keys(state.base).forEach(function (id) { out[id] = state.base[id]; });
    state.queue.forEach(function (e) { if (e.view) { out[e.key] = e.view; } });
    return Object.keys(out).map(function (id) { return out[id]; }).sort(function (a, b) {
      return a.full_name.localeCompare(b.full_name, "vi");
    });
  }

  var LIST_FIELDS = ["groups", "at_risk", "supports", "guardians"];
  var SCALARS = ["full_name", "date_of_birth", "sex", "ethnicity", "household_code", "address", "school_status", "notes"];

  function changedFields(base, view) {
    var out = {};
    SCALARS.concat(LIST_FIELDS).forEach(function (f) {
      if (JSON.stringify(base[f] === undefined ? null : base[f]) !== JSON.stringify(view[f] === undefined ? null : view[f])) {
        out[f] = view[f];
      }
    });
    return out;
  }

  function pending() { return state.queue.filter(function (e) { return e.status === "pending" || e.status === "sending"; }).length; }
  function attention() { return state.queue.filter(function (e) { return ["conflict", "rejected", "duplicate"].indexOf(e.status) >= 0; }); }

  function overLimit() { return state.meta && storedBytes() > state.meta.limits.store_max_bytes; }

  /* Queue a child's record as edited (new: a create; else the fields changed since the server's version). */
  function queueChild(view, isNew) {
    var key = view.id;
    var entry = entryFor(key);
    if (isNew || (entry && entry.kind === "child_create")) {
      var record = {};
      SCALARS.concat(LIST_FIELDS).forEach(function (f) { if (view[f] !== undefined && view[f] !== null && view[f] !== "") { record[f] = view[f]; } });
      record.hamlet_id = state.meta.hamlet.id;
      if (entry && entry.record && entry.record.not_duplicate_of) { record.not_duplicate_of = entry.record.not_duplicate_of; }
      replaceEntry(entry, { key: key, kind: "child_create", record: record, view: view });
      return;
    }
    var base = state.base[key];
    var fields = changedFields(base, view);
    if (!Object.keys(fields).length) { if (entry) { dropEntry(entry); } return; }
    replaceEntry(entry, { key: key, kind: "child_update", child_id: key, base_version: entry ? entry.base_version : base.version, fields: fields, view: view });
  }

  function replaceEntry(old, fresh) {
    fresh.change_id = uuid();
    fresh.status = "pending";
    fresh.queued_at = old ? old.queued_at : new Date().toISOString();
    if (old) { state.queue[state.queue.indexOf(old)] = fresh; } else { state.queue.push(fresh); }
  }

  function dropEntry(entry) { state.queue.splice(state.queue.indexOf(entry), 1); }

  /* ---------- sync ---------- */

  function api(method, path, body) {
    var headers = { "Accept": "application/json", "Accept-Language": document.documentElement.lang };
    if (body) { headers["Content-Type"] = "application/json"; headers["X-CSRF-Token"] = state.meta ? state.meta.csrf : ""; }
    return fetch("/field/api/" + path, { method: method, headers: headers, credentials: "same-origin", body: body ? JSON.stringify(body) : undefined })
      .then(function (r) {
        if (r.status === 401) { var e = new Error("session"); e.session = true; throw e; }
        return r.json().then(function (j) { if (!r.ok) { var err = new Error(j.detail || r.status); err.status = r.status; throw err; } return j; });
      });
  }

  function wire(entry) {
    if (entry.kind === "child_create") { return { kind: entry.kind, change_id: entry.change_id, record: entry.record }; }
    if (entry.kind === "child_update") { return { kind: entry.kind, change_id: entry.change_id, child_id: entry.child_id, base_version: entry.base_version, fields: entry.fields }; }
    return { kind: entry.kind, change_id: entry.change_id, period: entry.period, base_version: entry.base_version, values: entry.values };
  }

  function applyOutcome(entry, out) {
    if (out.outcome === "applied" || out.outcome === "transfer") {
      dropEntry(entry);
      if (entry.kind === "report_values") { if (out.record) { setSheet(out.record); } }
      else if (out.record) { state.base[out.record.id] = out.record; }
      if (out.outcome === "transfer") { state.notice = T.transfer_opened; }
      return;
    }
    entry.status = out.outcome;
    entry.current = out.current || null;
    entry.errors = out.errors || null;
    entry.suspects = out.suspects || null;
  }

  function push() {
    var batch = state.queue.filter(function (e) { return e.status === "pending"; }).slice(0, MAX_BATCH);
    if (!batch.length) { return Promise.resolve(); }
    batch.forEach(function (e) { e.status = "sending"; });
    return save().then(function () {
      return api("POST", "sync", { device_id: state.device, changes: batch.map(wire) });
    }).then(function (res) {
      var byId = {};
      res.outcomes.forEach(function (o) { byId[o.change_id] = o; });
      batch.forEach(function (e) { var o = byId[e.change_id]; if (o) { applyOutcome(e, o); } else { e.status = "pending"; } });
      return save().then(function () { if (state.queue.some(function (e) { return e.status === "pending"; })) { return push(); } });
    }, function (err) {
      batch.forEach(function (e) { if (e.status === "sending") { e.status = "pending"; } });
      return save().then(function () { throw err; });
    });
  }

  function pull() {
    return api("GET", "snapshot").then(function (snap) {
      var sameUser = state.meta && state.meta.user.id === snap.user.id;
      var ready = sameUser || !state.meta ? Promise.resolve() : wipe();
      return ready.then(function () {
        if (!sameUser) { state.queue = []; }
        var base = {};
        snap.children.forEach(function (c) { base[c.id] = c; });
        state.base = base;
        delete snap.children;
        state.meta = snap;
        state.meta.synced_at = new Date().toISOString();
        return save();
      });
    });
  }

  function syncNow() {
    if (state.syncing || !navigator.onLine) { render(); return Promise.resolve(); }
    state.syncing = true; render();
    var first = state.meta ? push() : Promise.resolve();
    return first.then(pull).then(function () {
      state.sessionEnded = false;
    }, function (err) {
      if (err.session) { state.sessionEnded = true; }
      else { state.notice = fmt(T.sync_failed, { e: err.message }); }
    }).then(function () { state.syncing = false; render(); });
  }

  function checkExpiry() {
    if (state.meta && Date.now() > Date.parse(state.meta.wipe_at)) {
      return wipe().then(function () { state.notice = T.wiped_expired; render(); });
    }
    return Promise.resolve();
  }

  /* ---------- the report sheets ---------- */

  function sheetEntry(period) { return entryFor(SHEET_KEY + period); }

  function setSheet(sheet) {
    var sheets = state.meta.reports.sheets;
    for (var i = 0; i < sheets.length; i++) { if (sheets[i].period === sheet.period) { sheets[i] = sheet; return; } }
    sheets.push(sheet);
  }

  function saveSheet(sheet, form) {
    var values = {}, bad = [];
    form.querySelectorAll("input[data-ind]").forEach(function (input) {
      input.removeAttribute("aria-invalid");
      var text = input.value.trim();
      if (text === "") { return; }
      if (!/^\d{1,9}$/.test(text)) { bad.push(input); input.setAttribute("aria-invalid", "true"); return; }
      var ind = input.getAttribute("data-ind");
      values[ind] = values[ind] || {};
      values[ind][input.getAttribute("data-cell")] = parseInt(text, 10);
    });
    if (bad.length) { state.notice = T.whole_numbers; render(); bad[0].focus(); return; }
    var key = SHEET_KEY + sheet.period;
    var entry = sheetEntry(sheet.period);
    var fresh = { key: key, kind: "report_values", period: sheet.period, base_version: entry ? entry.base_version : sheet.version, values: values, view: null };
    replaceEntry(entry, fresh);
    if (overLimit()) { dropEntry(fresh); if (entry) { state.queue.push(entry); } state.notice = T.store_full; render(); return; }
    state.notice = T.draft_saved;
    save().then(function () { render(); if (navigator.onLine) { syncNow(); } });
  }

  function sheetValues(sheet) {
    var entry = sheetEntry(sheet.period) || state.queue.filter(function (e) { return e.key === SHEET_KEY + sheet.period; })[0];
    var merged = JSON.parse(JSON.stringify(sheet.entered || {}));
    if (entry) { Object.keys(entry.values).forEach(function (ind) { merged[ind] = Object.assign(merged[ind] || {}, entry.values[ind]); }); }
    return merged;
  }

  function reportView() {
    var box = el("section", { "class": "field-report" }, [el("h2", { text: T.monthly_report })]);
    var sections = state.meta.reports.sections;
    state.meta.reports.sheets.forEach(function (sheet) {
      var values = sheetValues(sheet);
      var form = el("form", { "class": "stack", novalidate: true, "data-period": sheet.period });
      form.appendChild(el("h3", { text: periodLabel(sheet.period) + " · " + (T.statuses[sheet.status] || sheet.status) }));
      if (!sheet.editable) { form.appendChild(el("p", { text: T.report_locked })); }
      sections.forEach(function (sec) {
        if (sheet.indicators && sheet.indicators.indexOf(sec.code) < 0) { return; } /* a campaign of another month */
        var filled = 0;
        var fields = sec.cells.map(function (c) {
          var v = values[sec.code] && values[sec.code][c.key];
          if (v !== undefined && v !== null) { filled += 1; }
          var id = "r-" + sheet.period + "-" + sec.code + "-" + c.key;
          return el("div", { "class": "field" }, [
            el("label", { "for": id, text: name(c) }),
            el("input", { id: id, type: "text", inputmode: "numeric", pattern: "[0-9]*", value: v === undefined || v === null ? "" : String(v), "data-ind": sec.code, "data-cell": c.key, disabled: !sheet.editable })
          ]);
        });
        form.appendChild(el("details", { "class": "field-section" }, [
          el("summary", { text: name(sec) + " — " + fmt(T.filled, { n: filled, m: sec.cells.length }) })
        ].concat(fields)));
      });
      if (sheet.editable) {
        form.appendChild(el("div", { "class": "actions" }, [el("button", { type: "submit", "class": "primary", text: T.save_draft })]));
        form.addEventListener("submit", function (ev) { ev.preventDefault(); saveSheet(sheet, form); });
      }
      box.appendChild(form);
    });
    return box;
  }

  /* ---------- the child form ---------- */

  function rowsEditor(title, kind, rows, maker) {
    var list = el("div", { "class": "field-rows", "data-rows": kind });
    rows.forEach(function (r) { list.appendChild(maker(r)); });
    return el("fieldset", {}, [el("legend", { text: title }), list,
      el("button", { type: "button", "class": "secondary", text: T.add_row, onclick: function () { list.appendChild(maker({})); } })]);
  }

  function periodRow(options, withSub) {
    return function (p) {
      var code = el("select", { "data-part": "code", "aria-label": T.kind }, optionList(options, p.code, T.choose));
      var parts = [code];
      if (withSub) {
        parts.push(el("select", { "data-part": "subgroup", "aria-label": T.subgroup },
          optionList(state.meta.reference.subgroups.map(function (s) { return [s.code, name(s)]; }), p.subgroup, T.no_subgroup)));
      }
      parts.push(el("input", { "data-part": "since", "aria-label": T.since, placeholder: "dd/mm/yyyy", inputmode: "numeric", value: fromIso(p.since) }));
      parts.push(el("input", { "data-part": "until", "aria-label": T.until, placeholder: "dd/mm/yyyy", inputmode: "numeric", value: fromIso(p.until) }));
      return el("div", { "class": "field-row" }, parts);
    };
  }

  function guardianRow(g) {
    return el("div", { "class": "field-row" }, [
      el("input", { "data-part": "full_name", "aria-label": T.guardian_name, placeholder: T.guardian_name, value: g.full_name || "" }),
      el("select", { "data-part": "relationship", "aria-label": T.relationship }, optionList(T.relationships, g.relationship, T.choose)),
      el("input", { "data-part": "phone", "aria-label": T.phone, placeholder: T.phone, type: "tel", inputmode: "tel", value: g.phone || "" }),
      el("label", { "class": "check" }, [el("input", { type: "checkbox", "data-part": "lives_with_child", checked: g.lives_with_child !== false }), T.lives_with])
    ]);
  }

  function readRows(form, kind, errors) {
    var out = [];
    form.querySelectorAll('[data-rows="' + kind + '"] .field-row').forEach(function (row) {
      var item = {}, empty = true;
      row.querySelectorAll("[data-part]").forEach(function (input) {
        var part = input.getAttribute("data-part");
        if (input.type === "checkbox") { item[part] = input.checked; return; }
        var v = input.value.trim();
        if (v) { empty = false; }
        if (part === "since" || part === "until") {
          if (!v) { item[part] = null; return; }
          var iso = toIso(v);
          if (!iso) { errors.push(fmt(T.bad_date, { field: input.getAttribute("aria-label") })); input.setAttribute("aria-invalid", "true"); }
          item[part] = iso;
        } else { item[part] = v || null; }
      });
      if (empty) { return; }
      if (kind !== "guardians") {
        if (!item.since) { item.since = state.meta.today; }
        if (kind !== "groups") { delete item.subgroup; }
        item.note = item.note || null;
        if (item.subgroup === undefined) { item.subgroup = null; }
      } else if (!item.phone) { item.phone = null; }
      out.push(item);
    });
    return out;
  }

  function childForm(child) {
    var isNew = !child;
    var c = child || { id: "new-" + uuid(), sex: "", ethnicity: "Kinh", school_status: "unknown", groups: [], at_risk: [], supports: [], guardians: [] };
    var ref = state.meta.reference;
    var pairs = function (list) { return list.map(function (x) { return [x.code, name(x)]; }); };
    var form = el("form", { "class": "stack field-form", novalidate: true });
    function text(field, label, value, extra) {
      var attrs = Object.assign({ id: "f-" + field, name: field, value: value || "" }, extra || {});
      return el("div", { "class": "field" }, [el("label", { "for": "f-" + field, text: label }), el("input", attrs)]);
    }
    var errorsBox = el("div", { role: "alert", "class": "field-errors" });
    form.appendChild(el("h2", { text: isNew ? T.add_child : fmt(T.edit_child, { name: c.full_name }) }));
    form.appendChild(errorsBox);
    form.appendChild(text("full_name", T.full_name, c.full_name, { autocomplete: "off", required: true }));
    form.appendChild(text("date_of_birth", T.date_of_birth, fromIso(c.date_of_birth), { placeholder: "dd/mm/yyyy", inputmode: "numeric", required: true }));
    form.appendChild(el("div", { "class": "field" }, [el("label", { "for": "f-sex", text: T.sex }),
      el("select", { id: "f-sex", name: "sex" }, optionList(T.sexes, c.sex, T.choose))]));
    form.appendChild(text("ethnicity", T.ethnicity, c.ethnicity, { list: "f-ethnicities" }));
    form.appendChild(el("datalist", { id: "f-ethnicities" }, ref.ethnicities.map(function (e) { return el("option", { value: e }); })));
    form.appendChild(text("household_code", T.household_code, c.household_code));
    form.appendChild(text("address", T.address, c.address));
    form.appendChild(el("div", { "class": "field" }, [el("label", { "for": "f-school", text: T.school_status }),
      el("select", { id: "f-school", name: "school_status" }, optionList(T.school_statuses, c.school_status))]));
    form.appendChild(rowsEditor(T.guardians, "guardians", c.guardians.length ? c.guardians : [{}], guardianRow));
    form.appendChild(rowsEditor(T.groups, "groups", c.groups, periodRow(pairs(ref.groups), true)));
    form.appendChild(rowsEditor(T.risks, "at_risk", c.at_risk, periodRow(pairs(ref.risks), false)));
    form.appendChild(rowsEditor(T.supports, "supports", c.supports, periodRow(pairs(ref.supports), false)));
    form.appendChild(text("notes", T.notes, c.notes));
    form.appendChild(el("div", { "class": "actions" }, [
      el("button", { type: "submit", "class": "primary", text: T.save }),
      el("button", { type: "button", "class": "secondary", text: T.cancel, onclick: function () { go("list"); } })
    ]));
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      form.querySelectorAll("[aria-invalid]").forEach(function (n) { n.removeAttribute("aria-invalid"); });
      var errors = [];
      var get = function (f) { return form.querySelector('[name="' + f + '"]').value.trim(); };
      var view = JSON.parse(JSON.stringify(c));
      view.full_name = get("full_name");
      if (!view.full_name) { errors.push(T.name_required); }
      var dob = toIso(get("date_of_birth"));
      if (!dob) { errors.push(fmt(T.bad_date, { field: T.date_of_birth })); form.querySelector("#f-date_of_birth").setAttribute("aria-invalid", "true"); }
      view.date_of_birth = dob;
      view.sex = get("sex");
      if (!view.sex) { errors.push(T.sex_required); }
      view.ethnicity = get("ethnicity");
      ["household_code", "address", "notes"].forEach(function (f) { view[f] = get(f) || null; });
      view.school_status = get("school_status");
      view.guardians = readRows(form, "guardians", errors);
      view.groups = readRows(form, "groups", errors);
      view.at_risk = readRows(form, "at_risk", errors);
      view.supports = readRows(form, "supports", errors);
      errorsBox.textContent = "";
      if (errors.length) { errors.forEach(function (m) { errorsBox.appendChild(el("p", { text: m })); }); errorsBox.scrollIntoView(); return; }
      queueChild(view, isNew);
      if (overLimit()) { state.notice = T.store_full; render(); return; }
      state.notice = T.saved_on_phone;
      save().then(function () { go("list"); if (navigator.onLine) { syncNow(); } });
    });
    return form;
  }

  /* ---------- conflicts and refusals ---------- */

  function show(v) {
    if (v === null || v === undefined || v === "") { return "—"; }
    if (Array.isArray(v)) { return v.length ? v.map(function (x) { return x.full_name || x.code || JSON.stringify(x); }).join(", ") : "—"; }
    if (typeof v === "object") { return JSON.stringify(v); }
    return String(v);
  }

  /* A report's values as "indicator.cell" -> count, and the labels of those keys (T.fields gets them). */
  function flatCells(values) {
    var out = {};
    Object.keys(values).forEach(function (ind) {
      Object.keys(values[ind] || {}).forEach(function (cell) { out[ind + "." + cell] = values[ind][cell]; });
    });
    return out;
  }

  function cellLabels() {
    state.meta.reports.sections.forEach(function (sec) {
      sec.cells.forEach(function (c) { T.fields[sec.code + "." + c.key] = name(sec) + " — " + name(c); });
    });
  }

  function compareTable(mine, theirs, fields) {
    var rows = fields.map(function (f) {
      return el("tr", {}, [el("th", { scope: "row", text: T.fields[f] || f }), el("td", { text: show(mine[f]) }), el("td", { text: show(theirs[f]) })]);
    });
    return el("table", { "class": "field-compare" }, [
      el("thead", {}, [el("tr", {}, [el("th", { scope: "col", text: T.field }), el("th", { scope: "col", text: T.mine }), el("th", { scope: "col", text: T.theirs })])]),
      el("tbody", {}, rows)
    ]);
  }

  function resolveKeepMine(entry) {
    var current = entry.current;
    if (entry.kind === "report_values") {
      setSheet(current);
      replaceEntry(entry, { key: entry.key, kind: entry.kind, period: entry.period, base_version: current.version, values: entry.values, view: null });
    } else {
      state.base[current.id] = current;
      replaceEntry(entry, { key: entry.key, kind: "child_update", child_id: entry.child_id, base_version: current.version, fields: entry.fields, view: Object.assign({}, current, entry.fields) });
    }
    save().then(syncNow);
  }

  function resolveKeepTheirs(entry) {
    if (entry.kind === "report_values") { setSheet(entry.current); } else if (entry.current) { state.base[entry.current.id] = entry.current; }
    dropEntry(entry);
    save().then(render);
  }

  function problemView(entry) {
    var title = entry.view ? entry.view.full_name : periodLabel(entry.period);
    var box = el("article", { "class": "field-problem", "data-status": entry.status }, [el("h3", { text: title })]);
    if (entry.status === "conflict") {
      box.appendChild(el("p", { text: T.conflict_explained }));
      if (entry.kind === "report_values") {
        var cells = flatCells(entry.values), stored = flatCells((entry.current && entry.current.entered) || {});
        box.appendChild(compareTable(cells, stored, Object.keys(cells)));
      } else {
        box.appendChild(compareTable(entry.view, entry.current || {}, Object.keys(entry.fields)));
      }
      box.appendChild(el("div", { "class": "actions" }, [
        el("button", { type: "button", "class": "primary", text: T.keep_mine, onclick: function () { resolveKeepMine(entry); } }),
        el("button", { type: "button", "class": "secondary", text: T.keep_theirs, onclick: function () { resolveKeepTheirs(entry); } })
      ]));
    } else if (entry.status === "duplicate") {
      box.appendChild(el("p", { text: T.duplicate_explained }));
      box.appendChild(el("ul", {}, (entry.suspects || []).map(function (s) {
        var known = state.base[s.id] || s;
        return el("li", { text: (known.full_name || s.id) + (known.date_of_birth ? " · " + fromIso(known.date_of_birth) : "") });
      })));
      box.appendChild(el("div", { "class": "actions" }, [
        el("button", { type: "button", "class": "primary", text: T.different_child, onclick: function () {
          var record = Object.assign({}, entry.record, { not_duplicate_of: (entry.suspects || []).map(function (s) { return s.id; }) });
          replaceEntry(entry, { key: entry.key, kind: "child_create", record: record, view: entry.view });
          save().then(syncNow);
        } }),
        el("button", { type: "button", "class": "secondary", text: T.discard, onclick: function () { dropEntry(entry); save().then(render); } })
      ]));
    } else {
      box.appendChild(el("p", { text: T.rejected_explained }));
      box.appendChild(el("ul", {}, (entry.errors || []).map(function (e) { return el("li", { text: (T.fields[e.field] ? T.fields[e.field] + ": " : "") + e.message }); })));
      var actions = [el("button", { type: "button", "class": "secondary", text: T.discard, onclick: function () { dropEntry(entry); save().then(render); } })];
      if (entry.view) {
        actions.unshift(el("button", { type: "button", "class": "primary", text: T.correct, onclick: function () { state.editing = entry.view; go("edit"); } }));
      }
      box.appendChild(el("div", { "class": "actions" }, actions));
    }
    return box;
  }

  /* ---------- pages of the app ---------- */

  function listView() {
    var box = el("section", { "class": "field-list" });
    var problems = attention();
    if (problems.length) {
      box.appendChild(el("h2", { text: fmt(T.needs_attention, { n: problems.length }) }));
      problems.forEach(function (e) { box.appendChild(problemView(e)); });
    }
    box.appendChild(el("div", { "class": "actions" }, [
      el("button", { type: "button", "class": "primary", text: T.add_child, onclick: function () { state.editing = null; go("new"); } }),
      el("button", { type: "button", "class": "secondary", text: T.monthly_report, onclick: function () { go("report"); } })
    ]));
    var search = el("input", { type: "search", id: "field-search", "aria-label": T.search, placeholder: T.search, value: state.filter });
    box.appendChild(search);
    var ul = el("ul", { "class": "field-children", "aria-label": T.children });
    function fill() {
      ul.textContent = "";
      var needle = state.filter.toLowerCase();
      records().filter(function (c) { return !needle || c.full_name.toLowerCase().indexOf(needle) >= 0; }).forEach(function (c) {
        var entry = entryFor(c.id) || state.queue.filter(function (e) { return e.key === c.id; })[0];
        ul.appendChild(el("li", {}, [
          el("button", { type: "button", "class": "link", onclick: function () { state.editing = c; go("edit"); } }, [
            el("span", { "class": "name", text: c.full_name }),
            el("span", { "class": "meta", text: " · " + fromIso(c.date_of_birth) + (entry ? " · " + (T.statuses[entry.status] || entry.status) : "") })
          ])
        ]));
      });
    }
    search.addEventListener("input", function () { state.filter = search.value; fill(); });
    fill();
    box.appendChild(ul);
    return box;
  }

  function statusBar() {
    var online = navigator.onLine;
    var used = state.meta ? storedBytes() : 0;
    var parts = [
      el("span", { id: "field-online", "data-online": online ? "yes" : "no", text: online ? T.online : T.offline }),
      el("span", { id: "field-pending", "data-pending": String(pending()), text: fmt(T.pending, { n: pending() }) })
    ];
    if (state.meta) {
      parts.push(el("span", { id: "field-store", text: fmt(T.stored, { used: Math.ceil(used / 1024), max: Math.round(state.meta.limits.store_max_bytes / 1048576) }) }));
      parts.push(el("span", { id: "field-wipe", text: fmt(T.kept_until, { t: when(state.meta.wipe_at) }) }));
      if (state.meta.synced_at) { parts.push(el("span", { text: fmt(T.synced_at, { t: when(state.meta.synced_at) }) })); }
    }
    var bar = el("div", { "class": "field-status", role: "status" }, parts);
    bar.appendChild(el("button", { type: "button", id: "field-sync", "class": "secondary", disabled: state.syncing || !online, text: state.syncing ? T.syncing : T.sync_now, onclick: function () { syncNow(); } }));
    return bar;
  }

  function go(view) { state.view = view; render(); window.scrollTo(0, 0); }

  function render() {
    var root = document.getElementById("field-app");
    root.textContent = "";
    root.appendChild(statusBar());
    if (state.notice) { root.appendChild(el("p", { "class": "flash", role: "status", text: state.notice })); state.notice = null; }
    if (state.sessionEnded) {
      root.appendChild(el("p", { "class": "alert", role: "alert" }, [T.session_ended + " ", el("a", { href: "/login?next=/field/", text: T.log_in })]));
    }
    if (!state.meta) {
      root.appendChild(el("p", { text: navigator.onLine ? T.loading : T.nothing_offline }));
      return;
    }
    cellLabels();
    root.appendChild(el("p", { "class": "field-hamlet", text: state.meta.hamlet.name + " · " + state.meta.user.full_name }));
    if (state.view === "new") { root.appendChild(childForm(null)); }
    else if (state.view === "edit" && state.editing) { root.appendChild(childForm(state.editing)); }
    else if (state.view === "report") {
      root.appendChild(el("p", {}, [el("button", { type: "button", "class": "link", text: T.back, onclick: function () { go("list"); } })]));
      root.appendChild(reportView());
    } else { root.appendChild(listView()); }
  }

  /* ---------- start ---------- */

  function logout(ev) {
    var n = pending() + attention().length;
    if (n && !window.confirm(fmt(T.logout_pending, { n: n }))) { ev.preventDefault(); return; }
    ev.preventDefault();
    var form = ev.target;
    wipe(true).then(function () { if (navigator.onLine) { form.submit(); } else { state.notice = T.wiped_logout; render(); } });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var out = document.getElementById("field-logout");
    if (out) { out.addEventListener("submit", logout); }
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register("/field/sw.js", { scope: "/field/" }).catch(function () { /* the app still works online */ });
    }
    load().then(function (stored) {
      state.meta = stored.meta || null;
      state.base = stored.base || {};
      state.queue = stored.queue || [];
      state.queue.forEach(function (e) { if (e.status === "sending") { e.status = "pending"; } });
      state.device = stored.device || uuid();
      return checkExpiry();
    }).then(function () {
      render();
      window.addEventListener("online", function () { syncNow(); });
      window.addEventListener("offline", render);
      window.setInterval(function () { checkExpiry().then(function () { if (navigator.onLine && pending()) { syncNow(); } }); }, 60000);
      return syncNow();
    });
  });
})();
