/*
 * Tsunagu (つなぐ) — small progressive enhancements. Every page works without this file.
 * The content security policy forbids inline scripts, so behaviour is attached here through
 * data attributes:
 *
 *   <form data-confirm="削除しますか？">            asks before submitting
 *   <button data-confirm="…">, <a data-confirm="…">  asks before that button / link
 *   <form data-allow-resubmit>                         opts out of the double-submit guard
 *   <body data-session-seconds="1800" data-keepalive-url="/healthz">  expiry notice
 *
 * User-facing text lives in templates/base.html (translated there), never in this file.
 */
(function () {
  "use strict";

  // ---- htmx: safe defaults -------------------------------------------------------------
  // The CSRF header is set on <body hx-headers>. History snapshots would copy pages with
  // personal data into localStorage, so they are turned off; eval is forbidden by the CSP.
  if (window.htmx) {
    var cfg = window.htmx.config;
    cfg.historyCacheSize = 0;
    cfg.refreshOnHistoryMiss = true;
    cfg.allowEval = false;
    cfg.allowScriptTags = false;
    cfg.selfRequestsOnly = true;
    cfg.includeIndicatorStyles = false;
  }

  function onReady(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  }

  // ---- confirmation dialogs (capture phase: runs before the double-submit guard) -------
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      var submitter = event.submitter;
      var message =
        (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
      if (message && !window.confirm(message)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-confirm]");
    if (link && !window.confirm(link.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  // ---- double-submit guard ------------------------------------------------------------------
  var RELEASE_AFTER_MS = 15000;

  function submitButtons(form) {
    var inside = Array.prototype.slice.call(
      form.querySelectorAll('button:not([type="button"]):not([type="reset"]), input[type="submit"]')
    );
    if (form.id) {
      inside = inside.concat(
        Array.prototype.slice.call(document.querySelectorAll('[type="submit"][form="' + form.id + '"]'))
      );
    }
    return inside;
  }

  function release(form) {
    delete form.dataset.submitting;
    submitButtons(form).forEach(function (button) {
      if (button.dataset.guardDisabled) {
        button.disabled = false;
        button.removeAttribute("aria-busy");
        delete button.dataset.guardDisabled;
      }
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    // Forms opening a new window (a PDF) or answered with a download leave this page in
    // place: never guard the first, and release the others after a while.
    if (event.defaultPrevented || form.hasAttribute("data-allow-resubmit") || form.target === "_blank") {
      return;
    }
    if (form.dataset.submitting) {
      event.preventDefault();
      return;
    }
    form.dataset.submitting = "1";
    // Disable after the browser has collected the form data: a button disabled synchronously
    // would drop its own name/value from the submission.
    window.setTimeout(function () {
      submitButtons(form).forEach(function (button) {
        if (!button.disabled) {
          button.disabled = true;
          button.dataset.guardDisabled = "1";
          if (button === event.submitter) {
            button.setAttribute("aria-busy", "true");
          }
        }
      });
    }, 0);
    window.setTimeout(function () {
      release(form);
    }, RELEASE_AFTER_MS);
  });

  // Back/forward cache restores the page with disabled buttons: give them back.
  window.addEventListener("pageshow", function () {
    Array.prototype.forEach.call(document.forms, release);
  });

  // htmx submits forms without leaving the page.
  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    var form = elt && (elt.tagName === "FORM" ? elt : elt.closest && elt.closest("form"));
    if (form) {
      release(form);
    }
  });

  // ---- htmx errors: say so instead of silently doing nothing ---------------------------
  function showNotice(id) {
    var notice = document.getElementById(id);
    if (notice) {
      notice.hidden = false;
      window.setTimeout(function () {
        notice.hidden = true;
      }, 8000);
    }
  }

  document.addEventListener("htmx:responseError", function () {
    showNotice("ajax-error");
  });
  document.addEventListener("htmx:sendError", function () {
    showNotice("network-error");
  });

  // ---- wide tables scroll sideways inside a focusable region -----------------------------
  function wrapTables(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var tables = scope.querySelectorAll("table.table");
    Array.prototype.forEach.call(tables, function (table) {
      if (table.parentElement && table.parentElement.classList.contains("table-scroll")) {
        return;
      }
      var wrapper = document.createElement("div");
      wrapper.className = "table-scroll";
      wrapper.setAttribute("tabindex", "0");
      wrapper.setAttribute("role", "region");
      var caption = table.querySelector("caption");
      var label =
        table.getAttribute("aria-label") ||
        (caption && caption.textContent.trim()) ||
        document.body.getAttribute("data-table-label") ||
        "";
      if (label) {
        wrapper.setAttribute("aria-label", label);
      }
      table.parentNode.insertBefore(wrapper, table);
      wrapper.appendChild(table);
    });
  }

  // ---- session about to expire ---------------------------------------------------------------
  var sessionTimer = null;
  var WARN_BEFORE_SECONDS = 120;

  function scheduleSessionNotice() {
    var body = document.body;
    var seconds = parseInt(body.getAttribute("data-session-seconds") || "", 10);
    var notice = document.getElementById("session-notice");
    if (!seconds || !notice) {
      return;
    }
    window.clearTimeout(sessionTimer);
    notice.hidden = true;
    sessionTimer = window.setTimeout(function () {
      notice.hidden = false;
      var button = notice.querySelector("button");
      if (button) {
        button.focus();
      }
    }, Math.max(seconds - WARN_BEFORE_SECONDS, 5) * 1000);
  }

  function keepAlive() {
    var url = document.body.getAttribute("data-keepalive-url");
    if (!url) {
      return;
    }
    window
      .fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(scheduleSessionNotice)
      .catch(function () {
        showNotice("network-error");
      });
  }

  // Any htmx request also extends the server session.
  document.addEventListener("htmx:afterRequest", function () {
    scheduleSessionNotice();
  });

  onReady(function () {
    wrapTables(document);
    scheduleSessionNotice();
    var extend = document.querySelector("#session-notice button");
    if (extend) {
      extend.addEventListener("click", keepAlive);
    }
    if (window.htmx) {
      window.htmx.onLoad(function (elt) {
        wrapTables(elt.parentElement || elt);
      });
    }
  });
})();
