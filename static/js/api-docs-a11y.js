// The API docs pages (templates/api/swagger_ui.html, templates/api/redoc.html) draw third-party
// markup (Swagger UI, Redoc) whose headings skip levels: Swagger UI has no h2 (title h1, tags h3),
// Redoc goes from an operation's h2 to h5. A screen reader's list of headings then jumps
// (axe heading-order). Each heading is announced one level below the heading it belongs under,
// through aria-level, as the page draws and redraws. On the Swagger UI page the title and
// description above Swagger's own <main> are made a region named by the title, so that no part
// of the page is outside a landmark (axe region).
(function () {
  "use strict";

  var root = document.querySelector("[data-api-docs]");
  if (!root) {
    return;
  }

  function relevel() {
    // The headings above this one, innermost last: a heading sits one level below the nearest
    // one with a smaller tag, so sibling h5s under an h2 are both announced as level 3.
    var open = [];
    root.querySelectorAll("h1, h2, h3, h4, h5, h6").forEach(function (heading) {
      var level = Number(heading.tagName.charAt(1));
      while (open.length && open[open.length - 1].level >= level) {
        open.pop();
      }
      var parent = open[open.length - 1];
      var announced = parent ? Math.min(level, parent.announced + 1) : level;
      if (announced === level) {
        heading.removeAttribute("aria-level");
      } else {
        heading.setAttribute("aria-level", String(announced));
      }
      open.push({ level: level, announced: announced });
    });
  }

  function swaggerInfo() {
    var info = root.querySelector(".information-container");
    var title = info && info.querySelector("h1, h2");
    if (info && title && !info.hasAttribute("role")) {
      info.setAttribute("role", "region");
      info.setAttribute("aria-label", title.textContent.replace(/\s+/g, " ").trim());
    }
  }

  // Mutation records come in batches (one call per drawing), so this runs a few times a page.
  new MutationObserver(function () {
    relevel();
    swaggerInfo();
  }).observe(root, { childList: true, subtree: true });
})();
