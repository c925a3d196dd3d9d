// Replace the plain query form with YASGUI. The form, and the examples' links, work without
// JavaScript; this only adds the editor (syntax highlighting, completion, tabs, charts).
(function () {
  "use strict";
  var form = document.getElementById("query-form");
  var host = document.getElementById("yasgui");
  if (!form || !host || typeof Yasgui === "undefined") return;
  var examplesEl = document.getElementById("example-queries");
  var examples = examplesEl ? JSON.parse(examplesEl.textContent) : [];
  var completionsEl = document.getElementById("editor-completions");
  var completions = completionsEl ? JSON.parse(completionsEl.textContent) : {};
  var endpoint = form.dataset.endpoint || new URL(form.action, window.location.href).href;
  var textarea = form.querySelector("textarea");
  // The page was asked with a query (/sparql?query=...): the editor opens that one.
  var given = form.dataset.given === "true" ? textarea.value : null;

  // Completion from this graph's own prefixes, classes and properties, never from a service
  // elsewhere (YASQE's class and property completers ask LOV, on the web).
  var prefixes = completions.prefixes || {};
  Yasqe.forkAutocompleter("prefixes", {
    name: "nap-prefixes",
    persistenceId: null,
    get: Object.keys(prefixes).sort().map(function (p) { return p + ": <" + prefixes[p] + ">"; }),
  }, false);
  ["class", "property"].forEach(function (kind) {
    var terms = completions[kind === "class" ? "classes" : "properties"] || [];
    Yasqe.forkAutocompleter(kind, {
      name: "nap-" + kind,
      bulk: true,
      persistenceId: null,
      get: terms,
    }, false);
  });

  // The table shows values without datatype IRIs and language tags ("Simple view") until
  // the reader turns it off; that choice is kept with the tab.
  var Table = Yasr.plugins && Yasr.plugins.table;
  if (Table && Table.prototype.draw) {
    var draw = Table.prototype.draw;
    Table.prototype.draw = function (config) {
      return draw.call(this, Object.assign({ compact: true }, config || {}));
    };
  }

  // A Chart view of a SELECT answer, drawn by this server (/sparql/chart) as SVG: YASR's
  // own chart plugin draws with Google Charts, from the web. The table stays the default.
  var chartUrl = endpoint.replace(/\/?$/, "/chart");
  function Chart(yasr) { this.yasr = yasr; }
  Chart.prototype.priority = 1;
  Chart.prototype.label = "Chart";
  Chart.prototype.canHandleResults = function () {
    var results = this.yasr.results;
    return !!results && !results.getError() && !!results.getVariables && results.getVariables().length > 1;
  };
  Chart.prototype.getIcon = function () {
    var icon = document.createElement("span");
    icon.setAttribute("aria-hidden", "true");
    icon.textContent = "\u2581\u2583\u2585";
    return icon;
  };
  Chart.prototype.draw = function () {
    var yasr = this.yasr;
    var tab = Object.keys(yasgui._tabs || {}).map(function (id) { return yasgui.getTab(id); })
      .filter(function (t) { return t && t.getYasr && t.getYasr() === yasr; })[0] || yasgui.getTab();
    var box = document.createElement("div");
    box.className = "editor-chart";
    box.textContent = "Drawing the chart\u2026";
    yasr.resultsEl.appendChild(box);
    return fetch(chartUrl, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "image/svg+xml, application/json" },
      body: new URLSearchParams({ query: tab.getQuery() }),
    }).then(function (response) {
      return response.text().then(function (text) {
        if (response.ok) { box.innerHTML = text; return; }
        var message = text;
        try { message = JSON.parse(text).error; } catch (e) { /* not JSON: the text as it is */ }
        box.textContent = "No chart of this answer: " + message;
      });
    }).catch(function () { box.textContent = "The chart could not be fetched from the server."; });
  };
  if (typeof Yasr !== "undefined" && Yasr.registerPlugin) Yasr.registerPlugin("chart", Chart);

  // A share link carries its tab in the address's fragment (#query=...&endpoint=...). It may
  // name only this endpoint, and no extra request parameters or headers.
  var shared = /(^#|&)query=/.test(window.location.hash);
  function ours(config) {
    config.requestConfig = Object.assign({}, config.requestConfig, {
      endpoint: endpoint, method: "POST", args: [], headers: {},
    });
    return config;
  }

  // Shown before YASGUI is made: CodeMirror measures its lines when it starts.
  form.hidden = true;
  host.hidden = false;
  var yasgui = new Yasgui(host, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    // Offer this endpoint alone: the catalogue's defaults are public endpoints elsewhere.
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    yasqe: { value: textarea.value, autocompleters: ["nap-prefixes", "nap-class", "nap-property", "variables"] },
    populateFromUrl: shared ? ours : false,
    // Tabs and their queries are kept in this browser (localStorage) and survive a reload.
    persistenceId: "nap-graph-sparql",
    autofocus: false,
  });
  // Tabs kept from another visit may name another endpoint (a share link's, an older
  // address of this server): every tab asks this one.
  Object.keys(yasgui._tabs || {}).forEach(function (id) {
    var tab = yasgui.getTab(id);
    if (tab && tab.getEndpoint() !== endpoint) tab.setEndpoint(endpoint);
  });
  if (given !== null && !shared) {  // a share link names its own tab
    var tab = yasgui.getTab();
    if (!tab || tab.getQuery() !== given) {
      var same = Object.keys(yasgui._tabs || {}).map(function (id) { return yasgui.getTab(id); })
        .filter(function (t) { return t && t.getQuery() === given; })[0];
      if (same) yasgui.selectTabId(same.getId());
      else yasgui.addTab(true).setQuery(given);
    }
  }

  // Say when the server cut the answer at its limit (the NAP-Graph-Truncated header).
  var notice = document.getElementById("editor-truncated");
  function watch(tab) {
    var yasqe = tab && tab.getYasqe && tab.getYasqe();
    if (!yasqe || yasqe.napWatched) return;
    yasqe.napWatched = true;
    yasqe.on("queryResponse", function () {
      var response = Array.prototype.slice.call(arguments).filter(function (a) {
        return a && a.headers && typeof a.headers.get === "function";
      })[0];
      if (!notice) return;
      var cut = response && response.headers.get("NAP-Graph-Truncated") === "true";
      var limit = response && response.headers.get("NAP-Graph-Result-Limit");
      notice.textContent = cut
        ? "The answer was cut at the server's limit of " + (limit ? Number(limit).toLocaleString("en") + " " : "")
          + "rows or triples: not every result is shown. Add a LIMIT, or narrow the query. "
        : "";
      if (cut) {  // the CSV of a SELECT answer holds many more rows (EXPORT_LIMIT)
        var whole = document.createElement("a");
        whole.href = endpoint + "?format=csv&query=" + encodeURIComponent(yasqe.getValue());
        whole.textContent = "The whole answer as CSV";
        whole.setAttribute("download", "answer.csv");
        notice.appendChild(whole);
      }
      notice.hidden = !cut;
      // Above the answer it speaks of: YASR's own element, which each tab has.
      var yasr = tab.getYasr && tab.getYasr();
      if (cut && yasr && yasr.rootEl) yasr.rootEl.insertBefore(notice, yasr.rootEl.firstChild);
    });
  }
  yasgui.on("query", function (instance, tab) { watch(tab); });

  function open(name) {
    var example = examples.find(function (e) { return e.name === name; });
    if (!example) return;
    var tab = yasgui.addTab(true, { name: example.title });
    tab.setQuery(example.query);
    host.scrollIntoView();
  }
  document.querySelectorAll(".open-example").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { open(button.dataset.example); });
  });
})();
