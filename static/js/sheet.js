/* Score-sheet entry (评分记录表): instant validation, live total, a summary before saving.
   Built for sixty sheets in a row: Enter moves to the next field, Enter on the last shows the
   summary, Enter again saves; the server checks everything again (this is only a help). */
(function () {
  "use strict";
  var form = document.getElementById("sheet-form");
  if (!form || form.dataset.locked === "1") return;
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input.pr-input"));
  var totalOut = document.getElementById("sheet-total");
  var summary = document.getElementById("sheet-summary");
  var list = document.getElementById("sheet-summary-list");
  var summaryTotal = document.getElementById("sheet-summary-total");
  var check = document.getElementById("sheet-check");
  var save = document.getElementById("sheet-save");
  var back = document.getElementById("sheet-back");

  function fmt(x) { return (Math.round(x * 10000) / 10000).toString(); }

  function parse(input) {
    var raw = input.value.trim().replace("，", ".");
    if (raw === "") return { empty: true };
    if (!/^\d+(\.\d+)?$/.test(raw)) {
      return { error: raw.charAt(0) === "-" ? "不能为负数" : "请输入数字" };
    }
    var value = parseFloat(raw), max = parseFloat(input.dataset.max);
    if (value > max) return { error: "超过满分 " + fmt(max) + " 分" };
    return { value: value };
  }

  function validate(input) {
    var result = parse(input);
    var msg = document.getElementById(input.id + "-msg");
    input.classList.toggle("pr-bad", !!result.error);
    input.setAttribute("aria-invalid", result.error ? "true" : "false");
    if (msg) msg.textContent = result.error || "";
    return result;
  }

  function refresh() {
    var total = 0, complete = true, bad = false, areas = {};
    inputs.forEach(function (input) {
      var r = validate(input);
      if (r.error) bad = true;
      else if (r.empty) complete = false;
      else {
        total += r.value;
        if (input.dataset.area) areas[input.dataset.area] = (areas[input.dataset.area] || 0) + r.value;
      }
    });
    form.querySelectorAll(".pr-subtotal").forEach(function (cell) {
      cell.textContent = areas[cell.dataset.area] !== undefined ? fmt(areas[cell.dataset.area]) : "—";
    });
    totalOut.textContent = fmt(total) + (complete ? "" : "（未填完）");
    totalOut.classList.toggle("pr-bad-text", bad);
    return { total: total, complete: complete, bad: bad };
  }

  function showSummary() {
    var state = refresh();
    if (state.bad || !state.complete) {
      var first = inputs.filter(function (i) { var r = parse(i); return r.error || r.empty; })[0];
      if (first) {
        var msg = document.getElementById(first.id + "-msg");
        if (msg && !msg.textContent) msg.textContent = "请填写";
        first.focus();
      }
      return;
    }
    list.innerHTML = "";
    inputs.forEach(function (input) {
      var li = document.createElement("li");
      li.textContent = input.dataset.label + "：" + fmt(parse(input).value) + " / " + fmt(parseFloat(input.dataset.max));
      list.appendChild(li);
    });
    summaryTotal.textContent = fmt(state.total);
    summary.hidden = false;
    check.hidden = true;
    save.hidden = false;
    back.hidden = false;
    save.focus();
  }

  function hideSummary() {
    summary.hidden = true;
    check.hidden = false;
    save.hidden = true;
    back.hidden = true;
  }

  inputs.forEach(function (input, index) {
    input.addEventListener("input", function () { hideSummary(); refresh(); });
    input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") return;
      event.preventDefault();
      if (index + 1 < inputs.length) { inputs[index + 1].focus(); inputs[index + 1].select(); }
      else showSummary();
    });
    input.addEventListener("focus", function () { input.select(); });
  });
  check.addEventListener("click", showSummary);
  back.addEventListener("click", function () { hideSummary(); inputs[0].focus(); });
  form.addEventListener("submit", function (event) {
    var state = refresh();
    if (state.bad || !state.complete) { event.preventDefault(); hideSummary(); showSummary(); }
  });
  refresh();
  var firstBad = form.querySelector("input.pr-bad");
  if (firstBad) firstBad.focus();
})();
