/* Small page behaviours, kept out of the templates so that the Content-Security-Policy can forbid
 * every inline script (app/security.py):
 *   <select data-autosubmit>  submits its form when changed;
 *   <button data-print>       prints the page.
 */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("[data-autosubmit]") && target.form) target.form.submit();
  });
  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-print]") : null;
    if (target) window.print();
  });
})();
