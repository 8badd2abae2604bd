// The API docs page (templates/api/swagger_ui.html): Swagger UI has no h2 (its title is an h1,
// the API's tags are h3, the parts of an operation h4), so a screen reader's list of headings
// skipped a level (axe heading-order). Each of its headings from h3 down is announced one level
// up through aria-level, as Swagger UI draws and redraws them. Its own <main> holds the
// operations; the title and description above it are made a region named by the title, so that
// no part of the page is outside a landmark (axe region).
(function () {
  "use strict";

  var root = document.getElementById("swagger-ui");
  if (!root) {
    return;
  }

  function mend() {
    root.querySelectorAll("h3, h4, h5, h6").forEach(function (heading) {
      if (!heading.hasAttribute("aria-level")) {
        heading.setAttribute("aria-level", String(Number(heading.tagName.charAt(1)) - 1));
      }
    });
    var info = root.querySelector(".information-container");
    var title = info && info.querySelector("h1, h2");
    if (info && title && !info.hasAttribute("role")) {
      info.setAttribute("role", "region");
      info.setAttribute("aria-label", title.textContent.replace(/\s+/g, " ").trim());
    }
  }

  new MutationObserver(mend).observe(root, { childList: true, subtree: true });
})();
