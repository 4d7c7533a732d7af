/* The exam page before the start (templates/exams/waiting.html): counts down to the start the server
 * gave and, at the start, reloads the page, which then opens the exam. The server's time is the
 * clock (data-now, read with the page), not the candidate's computer's, which may be wrong; the
 * server still refuses the exam before its start, so a reload a moment early shows this page again
 * with the seconds that remain.
 */
(function () {
  "use strict";

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // "2 天 03:04:05" a day or more ahead, else "3:04:05" (as the server writes it first)
  function text(seconds) {
    var d = Math.floor(seconds / 86400), h = Math.floor((seconds % 86400) / 3600);
    var m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    return (d > 0 ? d + " 天 " + pad(h) : String(h)) + ":" + pad(m) + ":" + pad(s);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var clock = document.querySelector("[data-countdown]");
    if (!clock) return;
    var start = Date.parse(clock.getAttribute("data-start"));
    var serverNow = Date.parse(clock.getAttribute("data-now"));
    if (isNaN(start) || isNaN(serverNow)) return;
    var offset = serverNow - Date.now(); // server time = local time + offset
    var opened = false;

    function tick() {
      var left = start - (Date.now() + offset);
      var seconds = Math.max(0, Math.ceil(left / 1000));
      clock.textContent = text(seconds);
      if (left <= 0 && !opened) {
        opened = true;
        var note = document.getElementById("countdown-note");
        if (note) note.textContent = "考试开始，正在打开试卷…";
        window.location.reload();
      }
    }

    tick();
    setInterval(tick, 250);
  });
})();
