/*
 * Tsunagu (つなぐ) — small progressive enhancements. Every page works without this file.
 * The content security policy forbids inline scripts, so behaviour is attached here through
 * data attributes:
 *
 *   <form data-confirm="削除しますか？">            asks before submitting
 *   <button data-confirm="…">, <a data-confirm="…">  asks before that button / link
 *   <form data-allow-resubmit>                         opts out of the double-submit guard
 *   <body data-session-seconds="1800" data-keepalive-url="/healthz">  expiry notice
 *   <div data-combobox data-url="…">                  search-as-you-type picker
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
  // Each region is named after its table (aria-label, caption) or else the heading of the part
  // of the page it is in, so that two tables on a page are two different landmarks (a screen
  // reader's list of regions would otherwise show the same name twice).
  function squash(text) {
    return (text || "").replace(/\s+/g, " ").trim();
  }

  function headingBefore(el) {
    for (var node = el; node && node !== document.body; node = node.parentElement) {
      if (node !== el && node.getAttribute("aria-labelledby")) {
        var named = document.getElementById(node.getAttribute("aria-labelledby").split(" ")[0]);
        if (named) {
          return squash(named.textContent);
        }
      }
      for (var sib = node.previousElementSibling; sib; sib = sib.previousElementSibling) {
        if (/^H[1-6]$/.test(sib.tagName)) {
          return squash(sib.textContent);
        }
      }
    }
    return "";
  }

  function uniqueLabel(label, wrapper) {
    var taken = {};
    document.querySelectorAll(".table-scroll[aria-label]").forEach(function (other) {
      if (other !== wrapper) {
        taken[other.getAttribute("aria-label")] = true;
      }
    });
    var candidate = label;
    for (var n = 2; taken[candidate]; n++) {
      candidate = label + " (" + n + ")";
    }
    return candidate;
  }

  function wrapTables(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var tables = scope.querySelectorAll("table.table");
    Array.prototype.forEach.call(tables, function (table) {
      var wrapper = table.parentElement;
      if (!wrapper || !wrapper.classList.contains("table-scroll")) {
        wrapper = document.createElement("div");
        wrapper.className = "table-scroll";
        table.parentNode.insertBefore(wrapper, table);
        wrapper.appendChild(table);
      }
      if (wrapper.hasAttribute("role")) {
        return;
      }
      // A wrapper written in the template gets the same treatment: focusable, so a keyboard
      // user can scroll it (axe: scrollable-region-focusable), and named.
      wrapper.setAttribute("tabindex", "0");
      wrapper.setAttribute("role", "region");
      var caption = table.querySelector("caption");
      var generic = document.body.getAttribute("data-table-label") || "";
      var heading = headingBefore(wrapper);
      var label =
        squash(table.getAttribute("aria-label")) ||
        (caption && squash(caption.textContent)) ||
        (heading ? heading + " " + generic : generic);
      if (label) {
        wrapper.setAttribute("aria-label", uniqueLabel(label, wrapper));
      }
    });
  }

  // ---- search-as-you-type pickers (ARIA 1.2 combobox; agencies/combobox.py) ----------------
  // <div data-combobox data-url data-depends>: a hidden input with the chosen id, a text input
  // (role=combobox) and a listbox. Typing asks the endpoint (?q=, plus the field named in
  // data-depends) for <li role="option"> rows; ArrowDown/ArrowUp move, Enter chooses, Escape
  // closes (and clears the text when already closed). Without this script the text input is a
  // plain field the server resolves.
  var COMBOBOX_DELAY_MS = 200;

  function dependencyValue(form, name) {
    if (!form || !name) {
      return "";
    }
    var field = form.elements[name];
    return field ? field.value : "";
  }

  function setupCombobox(box) {
    if (box.dataset.comboboxReady) {
      return;
    }
    box.dataset.comboboxReady = "1";
    var input = box.querySelector('[role="combobox"]');
    var hidden = box.querySelector("[data-combobox-value]");
    var list = box.querySelector('[role="listbox"]');
    var status = box.querySelector("[data-combobox-status]");
    var form = input.form;
    var depends = box.getAttribute("data-depends") || "";
    var timer = null;
    var serial = 0;
    var active = -1;

    function options() {
      return Array.prototype.slice.call(list.querySelectorAll('[role="option"]'));
    }

    function highlight(index) {
      var opts = options();
      opts.forEach(function (opt, i) {
        opt.setAttribute("aria-selected", i === index ? "true" : "false");
        opt.classList.toggle("is-active", i === index);
      });
      active = index;
      if (index >= 0 && opts[index]) {
        input.setAttribute("aria-activedescendant", opts[index].id);
        opts[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function open() {
      if (options().length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      }
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      highlight(-1);
    }

    function choose(opt) {
      hidden.value = opt.getAttribute("data-value");
      input.value = opt.getAttribute("data-label");
      close();
      hidden.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function clearChoice() {
      if (hidden.value) {
        hidden.value = "";
        hidden.dispatchEvent(new Event("change", { bubbles: true }));
      }
    }

    function fetchOptions() {
      // An explicit ask (ArrowDown on a closed list) supersedes one scheduled on focus: that one
      // would answer after the user moved in the list and take the highlight away.
      window.clearTimeout(timer);
      var params = new URLSearchParams({ q: input.value });
      if (depends) {
        params.set(box.getAttribute("data-depends-param"), dependencyValue(form, depends));
      }
      var mine = ++serial;
      window
        .fetch(box.getAttribute("data-url") + "?" + params.toString(), {
          credentials: "same-origin",
          headers: { "HX-Request": "true" },
        })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.text();
        })
        .then(function (html) {
          if (mine !== serial) {
            return; // an answer to an older query
          }
          var doc = new DOMParser().parseFromString(html, "text/html");
          var answer = doc.querySelector("ul");
          var opts = options();
          var was = active >= 0 && opts[active] ? opts[active].getAttribute("data-value") : null;
          list.textContent = "";
          Array.prototype.forEach.call(answer ? answer.querySelectorAll('[role="option"]') : [], function (opt, i) {
            opt.id = list.id + "-" + i;
            list.appendChild(document.importNode(opt, true));
          });
          status.textContent = answer ? answer.getAttribute("data-status") : "";
          // The option the user had moved to stays chosen when the new answer still holds it.
          highlight(
            options().findIndex(function (opt) {
              return was !== null && opt.getAttribute("data-value") === was;
            })
          );
          if (options().length && document.activeElement === input) {
            open();
          } else {
            close();
          }
        })
        .catch(function () {
          showNotice("ajax-error");
        });
    }

    function schedule() {
      window.clearTimeout(timer);
      timer = window.setTimeout(fetchOptions, COMBOBOX_DELAY_MS);
    }

    input.addEventListener("input", function () {
      clearChoice();
      schedule();
    });
    input.addEventListener("focus", function () {
      if (!hidden.value) {
        schedule();
      }
    });
    input.addEventListener("blur", function () {
      window.setTimeout(close, 150);
    });
    input.addEventListener("keydown", function (event) {
      var opts = options();
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (list.hidden) {
          if (opts.length) {
            open();
          } else {
            fetchOptions();
            return;
          }
        }
        highlight(Math.min(active + 1, opts.length - 1));
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (!list.hidden) {
          highlight(Math.max(active - 1, 0));
        }
      } else if (event.key === "Enter") {
        if (!list.hidden && active >= 0 && opts[active]) {
          event.preventDefault();
          choose(opts[active]);
        }
      } else if (event.key === "Escape") {
        if (!list.hidden) {
          event.preventDefault();
          close();
        } else if (input.value) {
          event.preventDefault();
          input.value = "";
          clearChoice();
        }
      }
    });
    list.addEventListener("mousedown", function (event) {
      var opt = event.target.closest('[role="option"]');
      if (opt) {
        event.preventDefault();
        choose(opt);
      }
    });
    // A dependent picker (consent ← person, staff ← agency) forgets its choice when what it
    // depends on changes.
    if (form && depends) {
      form.addEventListener("change", function (event) {
        if (event.target.name === depends) {
          input.value = "";
          clearChoice();
          list.textContent = "";
          close();
        }
      });
    }
  }

  function setupComboboxes(root) {
    var scope = root && root.querySelectorAll ? root : document;
    Array.prototype.forEach.call(scope.querySelectorAll("[data-combobox]"), setupCombobox);
  }

  // ---- the menu shows that it scrolls sideways ------------------------------------------------
  function markMenuOverflow() {
    var nav = document.querySelector(".main-nav");
    var list = nav && nav.querySelector("ul");
    if (!list) {
      return;
    }
    var update = function () {
      var hiddenLeft = list.scrollLeft > 1;
      var hiddenRight = list.scrollLeft + list.clientWidth < list.scrollWidth - 1;
      var more = hiddenLeft && hiddenRight ? "both" : hiddenLeft ? "start" : hiddenRight ? "end" : "";
      if (more) {
        nav.setAttribute("data-more", more);
      } else {
        nav.removeAttribute("data-more");
      }
    };
    list.addEventListener("scroll", update, { passive: true });
    window.addEventListener("resize", update);
    // The current page's item is scrolled into view, so the cue is right from the start.
    var current = list.querySelector('[aria-current="page"]');
    if (current && current.scrollIntoView && list.scrollWidth > list.clientWidth) {
      list.scrollLeft = Math.max(0, current.offsetLeft - list.clientWidth / 3);
    }
    update();
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
    setupComboboxes(document);
    markMenuOverflow();
    scheduleSessionNotice();
    var extend = document.querySelector("#session-notice button");
    if (extend) {
      extend.addEventListener("click", keepAlive);
    }
    if (window.htmx) {
      window.htmx.onLoad(function (elt) {
        wrapTables(elt.parentElement || elt);
        setupComboboxes(elt.parentElement || elt);
      });
    }
  });
})();
