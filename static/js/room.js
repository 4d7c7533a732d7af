/* The proctor's room page: refresh every 30 s, but never while a proctor is typing a reason or minutes. */
(function () {
  "use strict";
  setInterval(function () {
    var busy = Array.prototype.some.call(document.querySelectorAll(".room-table input"), function (input) {
      return input.type !== "hidden" && (input.value || input === document.activeElement);
    });
    if (!busy) window.location.reload();
  }, 30000);
})();
