// The kggraph map page: the places of ./map.json on a world map drawn with d3-geo from the
// world-atlas shapes, all served by this server (nothing leaves this host, no tile server).
// A point is a link to the place's page, sized by its activities and coloured by its country;
// the year slider asks map.json?to_year= as the network page asks /network.
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("kggraph-map-config").textContent);
  const api = new URL(config.api, document.baseURI);
  const SVG = "http://www.w3.org/2000/svg";
  const WIDTH = 960;
  const HEIGHT = 500;
  const RADIUS = { empty: 3.5, min: 4.5, max: 24 };
  // The "East and South-East Asia" view: a box of longitude and latitude to fit.
  const VIEWS = { asia: [[96, -10], [142, 44]] };

  const slider = document.getElementById("year-slider");
  const yearLabel = document.getElementById("year-label");
  const details = document.getElementById("details");

  const shared = window.kggraphExplore;
  const pageOf = (iri) => shared.pageOf(config, iri);
  const legendItem = shared.legendItem;

  function element(name, attributes, parent) {
    const found = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes || {})) found.setAttribute(key, value);
    if (parent) parent.append(found);
    return found;
  }

  function status(text) {
    shared.showStatus(details, "map-status", text);
  }

  function fitted(view) {
    const projection = d3.geoNaturalEarth1();
    const box = VIEWS[view];
    const extent = [[6, 6], [WIDTH - 6, HEIGHT - 6]];
    if (box) {
      projection.fitExtent(extent, { type: "MultiPoint", coordinates: box });
      projection.clipExtent([[0, 0], [WIDTH, HEIGHT]]);
    } else {
      projection.fitExtent(extent, { type: "Sphere" });
    }
    return projection;
  }

  // The radius of a point: its area grows with its activities, the largest of all years at max.
  function radius(count, top) {
    if (!count) return RADIUS.empty;
    return RADIUS.min + (RADIUS.max - RADIUS.min) * Math.sqrt(count / Math.max(top, 1));
  }

  class WorldMap {
    constructor(atlas, doc) {
      this.countries = topojson.feature(atlas, atlas.objects.countries).features;
      this.doc = doc;
      this.top = Math.max(0, ...doc.places.map((p) => p.count));
      this.byIri = new Map(doc.places.map((p) => [p.iri, p]));
      this.counts = new Map(doc.places.map((p) => [p.iri, p.count]));
      this.svg = element("svg", {
        viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
        preserveAspectRatio: "xMidYMid meet",
        role: "group",
        "aria-label": "World map of the places; each point is a link to the place's page. "
          + "The same places and counts are in the table of these places, after the map.",
      });
      this.base = element("g", { "aria-hidden": "true" }, this.svg);
      this.points = element("g", { class: "points" }, this.svg);
      this.links = new Map();
      for (const place of this.placesInDrawingOrder()) this.links.set(place.iri, this.point(place));
      document.getElementById("map").replaceChildren(this.svg);
      this.draw("world");
    }

    // Largest first, so a small point is never hidden under a larger one.
    placesInDrawingOrder() {
      return [...this.doc.places].sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
    }

    point(place) {
      const link = element("a", { href: pageOf(place.iri), class: "place" }, this.points);
      link.dataset.iri = place.iri;
      element("circle", { fill: place.colour }, link);
      element("title", {}, link);
      link.addEventListener("mouseenter", () => this.describe(place));
      link.addEventListener("focus", () => this.describe(place));
      return link;
    }

    draw(view) {
      const projection = fitted(view);
      const path = d3.geoPath(projection);
      this.projection = projection;
      this.base.replaceChildren();
      // The whole world is drawn on its globe's outline; a region fills the box with sea.
      const sea = VIEWS[view]
        ? { x: 0, y: 0, width: WIDTH, height: HEIGHT }
        : null;
      if (sea) element("rect", { class: "sphere", ...sea }, this.base);
      else element("path", { class: "sphere", d: path({ type: "Sphere" }) }, this.base);
      for (const country of this.countries) {
        const d = path(country);
        if (d) element("path", { class: "country", d }, this.base);
      }
      for (const [a, b] of this.partnerships()) {
        const line = { type: "LineString", coordinates: [[a.long, a.lat], [b.long, b.lat]] };
        const d = path(line);
        if (d) element("path", { class: "partnership", d }, this.base);
      }
      for (const [iri, link] of this.links) {
        const place = this.byIri.get(iri);
        const [x, y] = projection([place.long, place.lat]);
        const circle = link.querySelector("circle");
        circle.setAttribute("cx", x.toFixed(1));
        circle.setAttribute("cy", y.toFixed(1));
      }
      this.update(this.counts);
    }

    // Each pair of partner cities that both have a point, once.
    partnerships() {
      const pairs = [];
      for (const place of this.doc.places) {
        for (const partner of place.partners) {
          const other = this.byIri.get(partner.iri);
          if (other && place.iri < other.iri) pairs.push([place, other]);
        }
      }
      return pairs;
    }

    // Show the counts of one year (a map of IRI to count): sizes, rings, names, the table.
    update(counts) {
      this.counts = counts;
      for (const [iri, link] of this.links) {
        const place = this.byIri.get(iri);
        const count = counts.get(iri) || 0;
        link.querySelector("circle").setAttribute("r", radius(count, this.top).toFixed(2));
        link.classList.toggle("empty", count === 0);
        link.dataset.count = count;
        const text = `${place.label}, ${place.country_label || "no country"}: `
          + `${count} ${count === 1 ? "activity" : "activities"}`;
        link.setAttribute("aria-label", text);
        link.querySelector("title").textContent = text;
      }
      for (const row of document.querySelectorAll("#places tbody tr")) {
        row.querySelector('[data-column="count"]').textContent = counts.get(row.dataset.id) || 0;
      }
      if (details.dataset.iri) this.describe(this.byIri.get(details.dataset.iri));
    }

    describe(place) {
      const count = this.counts.get(place.iri) || 0;
      const partners = place.partners.map((p) => `${p.label} (${p.kind_label})`).join(", ");
      shared.showDetails(details, {
        iri: place.iri, titleId: "selected-place", label: place.label, labelJa: place.label_ja,
        rows: [
          ["Country", place.country_label || "–"], ["Activities", count],
          ["Organisations", place.organisations], ["Partner cities", partners || "–"],
          ["Coordinates", `${place.lat.toFixed(4)}, ${place.long.toFixed(4)}`],
        ],
        href: pageOf(place.iri),
      });
    }
  }

  function legend(doc) {
    const countries = document.getElementById("legend-countries");
    for (const c of doc.countries) countries.append(legendItem("dot", c.colour, c.label, c.places));
    const points = document.getElementById("legend-points");
    points.append(
      legendItem("dot", "#7b8794", "area: activities by then"),
      legendItem("ring", "", "no activity by then"),
      legendItem("dash", "", "partner cities"),
    );
  }

  function showCounts(doc) {
    const active = doc.places.filter((p) => p.count > 0);
    const activities = new Set(active.flatMap((p) => p.activities));
    document.getElementById("place-count").textContent = active.length;
    document.getElementById("activity-count").textContent = activities.size;
  }

  // The slider runs from the first year an activity began to the last, then "all years"
  // (which also has the undated ones), as on the network page.
  function years(map, doc) {
    const { first, last } = doc.years;
    if (first === null) return;
    slider.min = first;
    slider.max = last + 1;
    slider.value = last + 1;
    slider.disabled = false;
    let asked = 0;
    const update = async () => {
      const year = Number(slider.value);
      const all = year > last;
      yearLabel.textContent = all ? "all years" : String(year);
      const number = ++asked;
      let shown = doc;
      if (!all) {
        const url = new URL(api);
        url.searchParams.set("to_year", year);
        const answer = await fetch(url);
        if (!answer.ok) throw new Error((await answer.text()).trim());
        shown = await answer.json();
      }
      if (number !== asked) return; // the slider has moved on meanwhile
      map.update(new Map(shown.places.map((p) => [p.iri, p.count])));
      showCounts(shown);
      document.getElementById("table-year").textContent = all ? "all years" : `activities begun by ${year}`;
      window.kggraphMap.year = all ? null : year;
    };
    slider.addEventListener("input", () => {
      yearLabel.textContent = Number(slider.value) > last ? "all years" : slider.value;
    });
    slider.addEventListener("change", () => {
      update().catch((err) => status(`The map of that year could not be loaded: ${err.message}`));
    });
  }

  async function start() {
    const [atlas, doc] = await Promise.all([config.atlas, api].map(async (address) => {
      const answer = await fetch(new URL(address, document.baseURI));
      if (!answer.ok) throw new Error(`${answer.status} ${answer.statusText}`);
      return answer.json();
    }));
    const map = new WorldMap(atlas, doc);
    legend(doc);
    showCounts(doc);
    years(map, doc);
    for (const radio of document.querySelectorAll('input[name="view"]')) {
      radio.addEventListener("change", () => map.draw(radio.value));
    }
    window.kggraphMap = { ready: true, year: null, map }; // for the browser tests
  }

  start().catch((err) => status(`The map could not be loaded: ${err.message}`));
})();
