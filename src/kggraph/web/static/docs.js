// /docs: Swagger UI (the npm package swagger-ui-dist, used as published) on this server's
// OpenAPI document, named by the page (data-openapi). Then what Swagger UI's markup lacks for
// assistive technology (WCAG 2.1 AA, the README's "Accessibility"), set on what it draws.
(function () {
  "use strict";

  const root = document.getElementById("swagger-ui");
  SwaggerUIBundle({
    url: root.dataset.openapi,
    domNode: root,
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    validatorUrl: null, // the online validator's badge would ask another host
    presets: [SwaggerUIBundle.presets.apis],
  });

  function mend() {
    // An operation's summary is one button that opens it; inside it Swagger UI puts the deep
    // link to the operation (#/tag/operation), a link inside a button, which a keyboard reaches
    // twice and a screen reader cannot name. The button opens the operation and sets the same
    // address (deepLinking), so the inner link loses its href and is plain text.
    for (const link of root.querySelectorAll(".opblock-summary-control a[href]")) {
      link.removeAttribute("href");
    }
    // A code block that scrolls (an answer, a curl command) is reached by the keyboard, so
    // that it can be scrolled without a mouse.
    for (const code of root.querySelectorAll(".highlight-code > pre:not([tabindex])")) {
      code.setAttribute("tabindex", "0");
    }
    // A parameter's field has no label: it is named after its row ("format (query)"), a form
    // field of a request body after its property.
    for (const row of root.querySelectorAll("tr[data-param-name], tr[data-property-name]")) {
      const { paramName, paramIn, propertyName } = row.dataset;
      const name = paramName ? `${paramName} (${paramIn})` : propertyName;
      for (const field of row.querySelectorAll("input, select, textarea")) {
        if (!field.labels?.length && !field.hasAttribute("aria-label")) {
          field.setAttribute("aria-label", name);
        }
      }
    }
  }

  new MutationObserver(mend).observe(root, { childList: true, subtree: true });
})();
