// Replace the plain query form with YASGUI. The form, and the examples' links, work without
// JavaScript; this only adds the editor (syntax highlighting, completion, tabs, charts).
(function () {
  "use strict";
  var form = document.getElementById("query-form");
  var host = document.getElementById("yasgui");
  if (!form || !host || typeof Yasgui === "undefined") return;
  var examples = JSON.parse(document.getElementById("example-queries").textContent);
  var endpoint = form.dataset.endpoint;
  var yasgui = new Yasgui(host, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    // Offer this endpoint alone: the catalogue's defaults are public endpoints elsewhere.
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    // Completion of classes and properties asks a service on the web (LOV); keep to the
    // completers that work offline.
    yasqe: { autocompleters: ["prefixes", "variables"] },
    populateFromUrl: false,
    persistenceId: null,
    autofocus: false,
  });
  yasgui.getTab().setQuery(form.querySelector("textarea").value);
  form.hidden = true;
  host.hidden = false;

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
