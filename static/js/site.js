/* Site-wide behaviour, no framework and no inline script (the pages run under a CSP):
 * - a form with data-confirm="question" asks before it is sent (开考, 结束, 强制收卷, 撤回 …), once its
 *   required fields are filled (not only spaces): the reason is checked first, then confirmed;
 * - a page element with data-refresh="seconds" reloads the page that often, but never while
 *   someone is typing into one of its fields (the proctor's room).
 */
(function () {
  "use strict";

  // A required field holding only spaces passes the browser's own check: it is refused here, before any
  // confirmation is asked (check the reason first, then confirm — issue 27 item 14).
  function blankRequired(form) {
    var fields = form.querySelectorAll ? form.querySelectorAll("textarea[required], input[required]") : [];
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].type !== "hidden" && !fields[i].disabled && !fields[i].value.trim()) return fields[i];
    }
    return null;
  }

  document.addEventListener("input", function (event) {
    if (event.target && event.target.setCustomValidity) event.target.setCustomValidity("");
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    var blank = form && blankRequired(form);
    if (blank) {
      event.preventDefault();
      blank.setCustomValidity("请填写此项（不能只填空格）");
      if (blank.reportValidity) blank.reportValidity(); else blank.focus();
      return;
    }
    if (question && !window.confirm(question)) event.preventDefault();
  });

  function busy(area) {
    if (area.querySelector("details[open]")) return true;  // an open action menu (the proctor's room)
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

/* The grouped main navigation (<details> menus): one open at a time, Escape or a click elsewhere
   closes it (Escape puts the focus back on its summary). Without this script the menus still work. */
(function () {
  "use strict";
  function groups() { return document.querySelectorAll(".site-nav details.nav-group"); }
  document.addEventListener("toggle", function (event) {
    var opened = event.target;
    if (!opened.classList || !opened.classList.contains("nav-group") || !opened.open) return;
    Array.prototype.forEach.call(groups(), function (other) { if (other !== opened) other.open = false; });
  }, true);
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    Array.prototype.forEach.call(groups(), function (group) {
      if (!group.open) return;
      group.open = false;
      if (group.contains(document.activeElement)) group.querySelector("summary").focus();
    });
  });
  document.addEventListener("click", function (event) {
    Array.prototype.forEach.call(groups(), function (group) {
      if (group.open && !group.contains(event.target)) group.open = false;
    });
  });
})();

/* Unsaved typing is never dropped silently (issue 27 item 9): a form with data-unsaved-warning
   remembers that one of its fields changed; a form with data-warn-unsaved="that form's id" (an upload
   beside it) asks before it is sent, and leaving the page asks too. Saving the form itself clears it. */
(function () {
  "use strict";
  var dirty = {};
  document.addEventListener("input", function (event) {
    var form = event.target && event.target.form;
    if (form && form.id && form.hasAttribute("data-unsaved-warning")) dirty[form.id] = true;
  });
  document.addEventListener("change", function (event) {
    var form = event.target && event.target.form;
    if (form && form.id && form.hasAttribute("data-unsaved-warning")) dirty[form.id] = true;
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.getAttribute) return;
    if (form.hasAttribute("data-unsaved-warning")) { dirty[form.id] = false; return; }
    var watched = form.getAttribute("data-warn-unsaved");
    var other = watched && document.getElementById(watched);
    if (other && dirty[watched] && !window.confirm(other.getAttribute("data-unsaved-warning"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    } else if (other && dirty[watched]) {
      dirty[watched] = false;
    }
  }, true);
  window.addEventListener("beforeunload", function (event) {
    for (var id in dirty) {
      if (dirty[id]) { event.preventDefault(); event.returnValue = ""; return; }
    }
  });
})();
