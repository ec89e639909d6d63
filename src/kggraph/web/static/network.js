// The kggraph network page: the network of ../network drawn with cytoscape.js (served by this
// server from node_modules), a year slider, a search box and a legend. Nothing leaves this host.
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("kggraph-network-config").textContent);
  const api = new URL(config.api, document.baseURI);

  // Agent kinds take these in order of how many agents they have (Tableau 10, then two more).
  const NODE_COLOURS = [
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948",
    "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#17becf", "#393b79",
  ];
  const EDGE_COLOURS = {
    agreement: "#c2185b", project: "#1976d2", programme: "#2e7d32", membership: "#8d6e63",
  };
  const EDGE_NAMES = {
    agreement: "agreements", project: "projects", programme: "programmes",
    membership: "memberships",
  };
  const SIZE = { min: 16, max: 64 };

  const slider = document.getElementById("year-slider");
  const yearLabel = document.getElementById("year-label");
  const nodeCount = document.getElementById("node-count");
  const edgeCount = document.getElementById("edge-count");
  const details = document.getElementById("details");
  const search = document.getElementById("agent-search");

  const shared = window.kggraphExplore;
  const pageOf = (iri) => shared.pageOf(config, iri);
  const legendItem = shared.legendItem;

  // The shortest Latin name an agent goes by ("JICA"), for the label on the drawing.
  function shortName(data) {
    const names = [data.label].concat(data.alt_labels ? data.alt_labels.split(" | ") : []);
    const latin = names.filter((n) => /^[\x20-\x7e\u2013]+$/.test(n));
    return (latin.length ? latin : names).reduce((a, b) => (b.length < a.length ? b : a));
  }

  function kindColours(nodes) {
    const counts = new Map();
    for (const n of nodes) counts.set(n.data.kind, (counts.get(n.data.kind) || 0) + 1);
    const kinds = [...counts.keys()].sort((a, b) => counts.get(b) - counts.get(a) || a.localeCompare(b));
    return new Map(kinds.map((k, i) => [k, { colour: NODE_COLOURS[i % NODE_COLOURS.length], n: counts.get(k) }]));
  }

  function scale(nodes, key) {
    const top = Math.max(...nodes.map((n) => n.data[key] || 0), 1e-9);
    return (value) => SIZE.min + (SIZE.max - SIZE.min) * Math.sqrt((value || 0) / top);
  }

  function elementsOf(doc, kinds) {
    const nodes = doc.elements.nodes;
    const byDegree = scale(nodes, "degree");
    const byBetweenness = scale(nodes, "betweenness");
    for (const n of nodes) {
      // "parent" (the organisation a unit belongs to) would make cytoscape.js draw the unit
      // inside its organisation as a compound node, sized by its children, not by centrality.
      n.data.unitOf = n.data.parent;
      delete n.data.parent;
      n.data.short = shortName(n.data);
      n.data.colour = kinds.get(n.data.kind).colour;
      n.data.sizeDegree = byDegree(n.data.degree);
      n.data.sizeBetweenness = byBetweenness(n.data.betweenness);
      n.data.size = n.data.sizeDegree;
    }
    for (const e of doc.elements.edges) {
      e.data.colour = EDGE_COLOURS[e.data.kind] || "#888";
      e.data.width = 1.2 + 1.6 * Math.log2(e.data.count);
    }
    return nodes.concat(doc.elements.edges);
  }

  const STYLE = [
    { selector: "node", style: {
      "background-color": "data(colour)", width: "data(size)", height: "data(size)",
      label: "", "font-size": 11, color: "#1f2933", "text-valign": "bottom",
      "text-margin-y": 3, "text-wrap": "ellipsis", "text-max-width": 140,
      "text-outline-color": "#ffffff", "text-outline-width": 2, "min-zoomed-font-size": 6,
      "border-width": 1.5, "border-color": "#ffffff",
    } },
    { selector: "edge", style: {
      "line-color": "data(colour)", width: "data(width)", opacity: 0.5, "curve-style": "bezier",
    } },
    // Names of the agents with three or more partners always, of the others when pointed at.
    { selector: "node[degree >= 3], node.named, node:selected", style: { label: "data(short)" } },
    { selector: "node:selected", style: { "border-width": 4, "border-color": "#1f2933" } },
    { selector: ".faded", style: { opacity: 0.12 } },
    { selector: "edge.near", style: { opacity: 0.9 } },
    { selector: ".gone", style: { display: "none" } },
  ];

  function legend(kinds, doc) {
    const nodes = document.getElementById("legend-nodes");
    for (const [kind, { colour, n }] of kinds) {
      nodes.append(legendItem("dot", colour, kind, n));
    }
    const edges = document.getElementById("legend-edges");
    for (const kind of config.kinds) {
      const n = doc.elements.edges.filter((e) => e.data.kind === kind).length;
      edges.append(legendItem("bar", EDGE_COLOURS[kind], EDGE_NAMES[kind], n));
    }
  }

  function showCounts(data) {
    nodeCount.textContent = data.nodes;
    edgeCount.textContent = data.edges;
  }

  function describe(node) {
    const d = node.data();
    shared.showDetails(details, {
      iri: d.id, titleId: "selected-agent", label: d.label, labelJa: d.label_ja,
      rows: [
        ["Kind", d.kind], ["Country", d.country_labels || "–"], ["Partners", d.degree],
        ["Shared activities", d.strength], ["Betweenness", Number(d.betweenness).toFixed(3)],
        ["Community", d.community],
      ],
      href: pageOf(d.id),
    });
  }

  function status(text) {
    shared.showStatus(details, "search-status", text);
  }

  function start(doc) {
    const kinds = kindColours(doc.elements.nodes);
    const cy = cytoscape({
      container: document.getElementById("network"),
      elements: elementsOf(doc, kinds),
      style: STYLE,
      layout: { name: "concentric", concentric: (n) => n.data("degree"), levelWidth: () => 4 },
      minZoom: 0.2,
      maxZoom: 4,
    });
    // Settle the rings into a force-directed picture; started from them, it is the same each time.
    cy.layout({
      name: "cose", randomize: false, animate: false, nodeRepulsion: () => 6000,
      idealEdgeLength: () => 48, edgeElasticity: () => 80, gravity: 0.8, numIter: 2500,
      nodeDimensionsIncludeLabels: false, componentSpacing: 60, fit: false,
    }).run();
    fill(cy);
    window.kggraphNetwork = cy; // for the browser tests, and for anyone at the console
    legend(kinds, doc);
    showCounts(doc.data);
    names(doc);
    years(cy, doc);
    interactions(cy);
    document.getElementById("size-by").addEventListener("change", (event) => {
      const key = event.target.value === "betweenness" ? "sizeBetweenness" : "sizeDegree";
      cy.batch(() => cy.nodes().forEach((n) => n.data("size", n.data(key))));
    });
    document.getElementById("search-form").addEventListener("submit", (event) => {
      event.preventDefault();
      find(cy, search.value);
    });
    search.addEventListener("change", () => find(cy, search.value));
  }

  // Stretch the drawing to the shape of its box (a force layout comes out round, the box is
  // wide), then fit it: the agents spread out and their names can be read at a larger zoom.
  function fill(cy) {
    const box = cy.nodes().boundingBox();
    const aspect = cy.width() / Math.max(cy.height(), 1);
    const stretch = Math.min(Math.max(aspect * box.h / Math.max(box.w, 1), 1), 2.5);
    cy.nodes().positions((n) => ({
      x: box.x1 + (n.position("x") - box.x1) * stretch,
      y: n.position("y"),
    }));
    cy.fit(undefined, 28);
  }

  function interactions(cy) {
    cy.on("tap", "node", (event) => window.location.assign(pageOf(event.target.id())));
    cy.on("mouseover", "node", (event) => {
      const node = event.target;
      const near = node.closedNeighborhood();
      cy.elements().not(near).addClass("faded");
      near.edges().addClass("near");
      near.nodes().addClass("named");
      describe(node);
      document.getElementById("network").style.cursor = "pointer";
    });
    cy.on("mouseout", "node", () => {
      cy.elements().removeClass("faded near named");
      document.getElementById("network").style.cursor = "";
    });
  }

  function names(doc) {
    const list = document.getElementById("agent-names");
    const seen = new Set();
    for (const n of doc.elements.nodes) {
      for (const name of [n.data.label, n.data.short, n.data.label_ja]) {
        if (!name || seen.has(name)) continue;
        seen.add(name);
        const option = document.createElement("option");
        option.value = name;
        list.append(option);
      }
    }
  }

  // An exact name (any language, alt labels too) first, else the best-connected partial match.
  function find(cy, text) {
    const key = text.trim().toLocaleLowerCase();
    if (!key) return;
    const namesOf = (n) => [n.data("label"), n.data("label_ja"), n.data("short")]
      .concat((n.data("alt_labels") || "").split(" | "))
      .filter(Boolean).map((s) => s.toLocaleLowerCase());
    const exact = cy.nodes().filter((n) => namesOf(n).includes(key));
    const partial = cy.nodes().filter((n) => namesOf(n).some((s) => s.includes(key)));
    const found = (exact.length ? exact : partial).sort((a, b) => b.data("degree") - a.data("degree"));
    if (!found.length) {
      status(`No agent is called “${text.trim()}”.`);
      return;
    }
    const node = found[0];
    cy.$(":selected").unselect();
    node.select();
    describe(node);
    if (node.hasClass("gone")) {
      status(`${node.data("label")} is not in the network as it stood in ${yearLabel.textContent}.`);
      return;
    }
    cy.animate({ center: { eles: node }, zoom: Math.max(cy.zoom(), 1.6) }, { duration: 350 });
  }

  // The tables of the page (its text alternative) show what the drawing shows: rows of agents
  // and ties the slider hides are hidden too, with a note and a link to that year's own table.
  function showRows(keep, year) {
    for (const row of document.querySelectorAll("table.sortable tbody tr")) {
      row.hidden = !keep.has(row.dataset.id);
    }
    const note = document.getElementById("table-year");
    if (year === null) {
      note.hidden = true;
      note.replaceChildren();
      return;
    }
    const link = document.createElement("a");
    link.href = withYear(new URL(window.location.href), year).href.split("#")[0] + "#network-table";
    link.textContent = `the table of the ${year} network with its own numbers`;
    note.replaceChildren(
      `Only the agents and ties of the network as it stood in ${year} are listed, as in the `
        + "drawing; their numbers are those of the whole network. See also ",
      link, ".",
    );
    note.hidden = false;
  }

  // The slider runs from the first year an activity began to the last, then "all years"
  // (which also has the undated ones). Each year asks the server for that network and shows
  // its agents and ties where they are in the full drawing, so nothing jumps.
  function years(cy, doc) {
    const { first, last } = doc.data.years;
    if (first === null) return;
    slider.min = first;
    slider.max = last + 1;
    slider.value = last + 1;
    slider.disabled = false;
    let asked = 0;
    // The page's links carry its filter; the slider adds its year to them.
    const downloads = [...document.querySelectorAll("#downloads a")];
    for (const link of downloads) link.dataset.href = link.href;
    const update = async () => {
      const year = Number(slider.value);
      const all = year > last;
      yearLabel.textContent = all ? "all years" : String(year);
      const number = ++asked;
      let shown = doc;
      if (!all) {
        const answer = await fetch(withYear(api, year));
        if (!answer.ok) {
          status(`The network of ${year} could not be loaded: ${(await answer.text()).trim()}`);
          return;
        }
        shown = await answer.json();
      }
      if (number !== asked) return; // the slider has moved on meanwhile
      const keep = new Set(shown.elements.nodes.map((n) => n.data.id)
        .concat(shown.elements.edges.map((e) => e.data.id)));
      cy.batch(() => cy.elements().forEach((el) => el.toggleClass("gone", !keep.has(el.id()))));
      showCounts(shown.data);
      showRows(keep, all ? null : year);
      for (const link of downloads) {
        link.href = all ? link.dataset.href : withYear(new URL(link.dataset.href), year).href;
      }
    };
    slider.addEventListener("input", () => {
      yearLabel.textContent = Number(slider.value) > last ? "all years" : slider.value;
    });
    slider.addEventListener("change", () => {
      update().catch((err) => status(`The network could not be loaded: ${err.message}`));
    });
  }

  function withYear(url, year) {
    const copy = new URL(url);
    copy.searchParams.set("to_year", year);
    return copy;
  }

  fetch(api)
    .then((answer) => {
      if (!answer.ok) throw new Error(`${answer.status} ${answer.statusText}`);
      return answer.json();
    })
    .then(start)
    .catch((err) => status(`The network could not be loaded: ${err.message}`));
})();
