// Sortable tables (the network page's agents and ties): each column heading is a button that
// the server understands too (?sort=, sent by the page's filter form), so the tables sort without
// JavaScript; with it, a click sorts the rows in place, keeps the focus on the button and says
// the order in aria-sort. Rows sort by each cell's data-value, numbers as numbers; rows that
// are equal keep the order of their ids, as on the server.
(function () {
  "use strict";

  function valueOf(row, column, numeric) {
    const cell = row.querySelector(`[data-column="${column}"]`);
    const raw = cell ? cell.dataset.value : "";
    if (!numeric) return raw.toLocaleLowerCase();
    return raw === "" ? -Infinity : Number(raw);
  }

  function sortBy(table, header) {
    const button = header.querySelector("button");
    const column = button.dataset.column;
    const numeric = header.dataset.numeric === "true";
    const descending = button.value.startsWith("-");
    const body = table.tBodies[0];
    const rows = [...body.rows].sort((a, b) => (a.dataset.id < b.dataset.id ? -1 : 1));
    rows.sort((a, b) => {
      const x = valueOf(a, column, numeric);
      const y = valueOf(b, column, numeric);
      // Code point order of the lower-cased text, as the server sorts (not the locale's).
      const order = x === y ? 0 : x < y ? -1 : 1;
      return descending ? -order : order;
    });
    body.append(...rows);
    for (const other of table.tHead.rows[0].cells) {
      const otherButton = other.querySelector("button");
      if (other === header) {
        other.setAttribute("aria-sort", descending ? "descending" : "ascending");
        otherButton.value = (descending ? "" : "-") + column;
      } else {
        other.setAttribute("aria-sort", "none");
        const key = otherButton.dataset.column;
        otherButton.value = (other.dataset.numeric === "true" ? "-" : "") + key;
      }
    }
  }

  for (const table of document.querySelectorAll("table.sortable")) {
    for (const header of table.tHead.rows[0].cells) {
      const button = header.querySelector("button");
      if (!button) continue;
      button.addEventListener("click", (event) => {
        event.preventDefault();
        sortBy(table, header);
      });
    }
  }
})();
