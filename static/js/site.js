/* Site-wide behaviour, no framework and no inline script (the pages run under a CSP):
 * - a form with data-confirm="question" asks before it is sent (开考, 结束, 强制收卷, 撤回 …);
 * - a page element with data-refresh="seconds" reloads the page that often, but never while
 *   someone is typing into one of its fields (the proctor's room).
 */
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });

  function busy(area) {
    return Array.prototype.some.call(area.querySelectorAll("input, textarea, select"), function (input) {
      if (input.type === "hidden") return false;
      return input === document.activeElement || (input.tagName !== "SELECT" && input.value);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-refresh]"), function (area) {
      var seconds = parseInt(area.getAttribute("data-refresh"), 10);
      if (!seconds) return;
      setInterval(function () { if (!busy(area)) window.location.reload(); }, seconds * 1000);
    });
  });
})();

/* A button with data-print prints the page (准考证). */
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-print]");
  if (button) window.print();
});

/* A select with data-autosubmit sends its form when changed (the bank's standard filter). */
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field && field.hasAttribute && field.hasAttribute("data-autosubmit") && field.form) field.form.submit();
});
