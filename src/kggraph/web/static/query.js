// The kggraph query page: YASGUI on this server's own endpoint, offering the canned queries.
// The settings come from the page (#kggraph-config); nothing here talks to another host.
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("kggraph-config").textContent);
  // Relative in the page (works behind a proxy), absolute for YASGUI, which parses it as a URL.
  const endpoint = new URL(config.endpoint, document.baseURI).href;

  // YASQE's "class" and "property" completers ask lov.linkeddata.es; keep those that work
  // offline: the query's own variables and YASQE's bundled prefix list (no prefix.cc lookup).
  const offline = ["variables", "prefixes"];
  const yasqeDefaults = Yasgui.Yasqe.defaults;
  yasqeDefaults.autocompleters = yasqeDefaults.autocompleters.filter((n) => offline.includes(n));
  // The editor's text field (CodeMirror's) is named for screen readers, in every tab.
  yasqeDefaults.screenReaderLabel = "SPARQL query";

  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    endpointCatalogueOptions: {
      getData: () => [{ endpoint: endpoint }],
      keys: [],
    },
    // Saved tabs are kept per endpoint, so another server's tabs never point here.
    persistenceId: "kggraph_" + endpoint,
    tabName: "Query",
    corsProxy: undefined,
    yasqe: {
      value: config.defaultQuery,
      collapsePrefixesOnLoad: true,
      prefixCcApi: null,
      createShortLink: undefined,
    },
    yasr: { prefixes: config.prefixes },
  });

  accessible(document.getElementById("yasgui"));

  const examples = new Map(config.examples.map((q) => [q.slug, q]));
  const section = document.getElementById("examples");
  const select = document.getElementById("example-select");
  const description = document.getElementById("example-description");

  function describe(query) {
    description.replaceChildren();
    if (!query) return;
    const text = document.createElement("p");
    text.textContent = query.description;
    description.append(text);
    if (query.params.length === 0) return;
    const list = document.createElement("ul");
    for (const p of query.params) {
      const item = document.createElement("li");
      const name = document.createElement("code");
      name.textContent = "?" + p.name;
      item.append(name, ` (${p.type}, example ${p.default}): ${p.doc}`);
      list.append(item);
    }
    const first = query.params[0];
    const value = first.type === "IRI" ? `<${first.default}>` : first.default;
    const hint = document.createElement("p");
    hint.textContent =
      "In the editor the parameters are unbound, so every value matches; to set one, add " +
      `VALUES ?${first.name} { ${value} } inside WHERE.`;
    description.append(list, hint);
  }

  select.addEventListener("change", () => {
    const query = examples.get(select.value);
    describe(query);
    if (!query) return;
    yasgui.addTab(
      true,
      { name: query.title, yasqe: { value: query.text } },
      { avoidDuplicateTabs: true },
    );
  });
  section.hidden = false;

  // What YASGUI's markup lacks for assistive technology (WCAG 2.1 AA; the README's
  // "Accessibility"), set on what it draws and again whenever it draws more (a new tab, an
  // answer's table). YASGUI itself is used as published; query.css does its contrast.
  function accessible(root) {
    const labels = [
      [".controlbar input.autocomplete", "SPARQL endpoint"],
      [".tabsList .tab input", "Tab name"],
      [".yasr select.tableSizer", "Rows per page"],
    ];
    function mend() {
      for (const [selector, label] of labels) {
        for (const field of root.querySelectorAll(selector)) {
          if (!field.hasAttribute("aria-label")) field.setAttribute("aria-label", label);
        }
      }
      // Tab indents in the editor and Esc lets focus leave it (YASQE's keys): the editor says
      // so to screen readers, as the visible hint above it says to everyone (WCAG 2.1.2).
      for (const field of root.querySelectorAll(".CodeMirror textarea:not([aria-describedby])")) {
        field.setAttribute("aria-describedby", "editor-keys");
      }
      // A tab list holds tabs only, but YASGUI puts its "add a tab" button into it, and its
      // arrow keys move onto that button as onto a tab: so the button says it is one.
      for (const button of root.querySelectorAll(".tabsList button.addTab:not([role])")) {
        button.setAttribute("role", "tab");
        button.setAttribute("aria-selected", "false");
      }
    }
    mend();
    new MutationObserver(mend).observe(root, { childList: true, subtree: true });
  }
})();
