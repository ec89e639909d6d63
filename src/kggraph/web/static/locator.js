// A place page's locator map: a small globe turned to the place, with its point, drawn with
// d3-geo from the world-atlas shapes this server serves (ld_locator.html). Nothing leaves this
// host; without d3 (not installed) the figure stays as it is, its caption and the coordinates.
(function () {
  "use strict";

  const figure = document.getElementById("locator");
  if (!figure || typeof d3 === "undefined" || typeof topojson === "undefined") return;
  const SVG = "http://www.w3.org/2000/svg";
  const SIZE = 180;
  const lat = Number(figure.dataset.lat);
  const long = Number(figure.dataset.long);
  if (!Number.isFinite(lat) || !Number.isFinite(long)) return;

  function element(name, attributes, parent) {
    const found = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes)) found.setAttribute(key, value);
    parent.append(found);
    return found;
  }

  function draw(atlas) {
    const projection = d3.geoOrthographic()
      .rotate([-long, -lat])
      .fitExtent([[2, 2], [SIZE - 2, SIZE - 2]], { type: "Sphere" });
    const path = d3.geoPath(projection);
    const svg = document.createElementNS(SVG, "svg");
    for (const [key, value] of Object.entries({
      width: SIZE, height: SIZE, viewBox: `0 0 ${SIZE} ${SIZE}`, role: "img",
      "aria-label": figure.dataset.label,
    })) svg.setAttribute(key, value);
    element("path", { d: path({ type: "Sphere" }), fill: "#e8f1f8", stroke: "#7b8794" }, svg);
    element("path", {
      d: path(d3.geoGraticule10()), fill: "none", stroke: "#c3ccd5", "stroke-width": 0.5,
    }, svg);
    const land = topojson.feature(atlas, atlas.objects.countries);
    element("path", { d: path(land), fill: "#ffffff", stroke: "#9aa5b1", "stroke-width": 0.5 }, svg);
    const [x, y] = projection([long, lat]);
    element("circle", {
      class: "place", cx: x.toFixed(1), cy: y.toFixed(1), r: 5,
      fill: "#c62828", stroke: "#ffffff", "stroke-width": 2,
    }, svg);
    figure.prepend(svg);
  }

  fetch(figure.dataset.atlas)
    .then((answer) => {
      if (!answer.ok) throw new Error(`${answer.status} ${answer.statusText}`);
      return answer.json();
    })
    .then(draw)
    .catch(() => {}); // the caption and the coordinates above still say where it is
})();
