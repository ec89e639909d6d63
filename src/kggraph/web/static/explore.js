// What the network and map pages share: an entity's page on this server, a legend line, and the
// details panel (a title in English, its Japanese name, a list of facts, a link to its page).
// Loaded before network.js and map.js, as window.kggraphExplore.
(function () {
  "use strict";

  // The page of a persistent IRI idBase + X, served at idPath + X; any other IRI as it is.
  function pageOf(config, iri) {
    if (!iri.startsWith(config.idBase)) return iri;
    return new URL(config.idPath + iri.slice(config.idBase.length), document.baseURI).href;
  }

  function legendItem(shape, colour, text, n) {
    const item = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = shape;
    if (colour) swatch.style.background = colour;
    item.append(swatch, text);
    if (n !== undefined) {
      const count = document.createElement("span");
      count.className = "n";
      count.textContent = n;
      item.append(count);
    }
    return item;
  }

  // Fill the panel: shown = { iri, titleId, label, labelJa, rows: [[name, value]…], href }.
  function showDetails(panel, shown) {
    panel.replaceChildren();
    panel.dataset.iri = shown.iri;
    const title = document.createElement("h3");
    title.id = shown.titleId;
    title.textContent = shown.label;
    const ja = document.createElement("p");
    ja.className = "ja";
    ja.lang = "ja";
    ja.textContent = shown.labelJa;
    const facts = document.createElement("dl");
    for (const [name, value] of shown.rows) {
      const dt = document.createElement("dt");
      dt.textContent = name;
      const dd = document.createElement("dd");
      dd.textContent = value;
      facts.append(dt, dd);
    }
    const link = document.createElement("a");
    link.href = shown.href;
    link.textContent = "Open its page →";
    panel.append(title, ja, facts, link);
  }

  // A one-line message in the panel instead of an entity.
  function showStatus(panel, id, text) {
    const line = document.createElement("p");
    line.id = id;
    line.className = "muted";
    line.textContent = text;
    panel.replaceChildren(line);
    delete panel.dataset.iri;
  }

  window.kggraphExplore = { pageOf, legendItem, showDetails, showStatus };
})();
