/*
 * 地域づくり: the tally page's +/− counters and running total. The page works without this file
 * (plain number inputs); text lives in the template.
 */
(function () {
  "use strict";

  function total(form) {
    var group = form.querySelector("[data-tally-sum]");
    var out = form.querySelector("[data-tally-total]");
    if (!group || !out) return;
    var sum = 0;
    group.querySelectorAll("input[type=number]").forEach(function (input) {
      var n = parseInt(input.value, 10);
      if (!isNaN(n) && n > 0) sum += n;
    });
    out.textContent = String(sum);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-tally]").forEach(function (form) {
      form.addEventListener("click", function (event) {
        var btn = event.target.closest("button[data-step]");
        if (!btn) return;
        var input = document.getElementById(btn.getAttribute("data-for"));
        if (!input) return;
        var n = parseInt(input.value, 10);
        if (isNaN(n)) n = 0;
        n = Math.max(0, n + parseInt(btn.getAttribute("data-step"), 10));
        input.value = String(n);
        input.dispatchEvent(new Event("input", { bubbles: true }));
      });
      form.addEventListener("input", function () {
        total(form);
      });
      total(form);
    });
  });
})();
