/* The machine-exam client (机考), no framework.
 *
 * Every answer is written first to a localStorage journal, then sent (debounced) with
 * PUT /api/v1/attempts/<aid>/answers/<qid>. An entry stays "unsaved" until the server's 200 for
 * its latest revision arrives; unsaved entries are re-sent after a lost connection, on reload and
 * every few seconds. The paper (questions only: the server never sends a key) is cached so that a
 * reload or a crashed browser resumes with everything restored. The countdown follows the
 * server's clock (server_time/deadline of every response), never the local one alone.
 */
(function () {
  "use strict";

  var root = document.getElementById("exam");
  if (!root) return;
  var API = root.dataset.api;
  var SESSION = root.dataset.session;
  var USER = root.dataset.user || "";
  var CSRF = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var DEBOUNCE_MS = 400;
  var RETRY_MS = 4000;
  var SYNC_MS = 30000;
  var TYPE_LABELS = { single: "单项选择题", multiple: "多项选择题", judge: "判断题" };
  var LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

  var el = {
    grid: document.getElementById("exam-grid"),
    questions: document.getElementById("exam-questions"),
    remaining: document.getElementById("exam-remaining"),
    save: document.getElementById("exam-save"),
    message: document.getElementById("exam-message"),
    notice: document.getElementById("exam-notice"),
    clock: document.getElementById("exam-clock"),
    main: document.getElementById("exam-main"),
    done: document.getElementById("exam-done"),
    doneText: document.getElementById("exam-done-text"),
    gridBox: document.getElementById("exam-grid-box"),
    gridSummary: document.getElementById("exam-grid-summary"),
    mode: document.getElementById("exam-mode"),
    prev: document.getElementById("exam-prev"),
    next: document.getElementById("exam-next"),
    flag: document.getElementById("exam-flag"),
    submit: document.getElementById("exam-submit"),
    dialog: document.getElementById("exam-confirm"),
    summary: document.getElementById("exam-summary"),
    yes: document.getElementById("exam-confirm-yes"),
    no: document.getElementById("exam-confirm-no"),
  };

  var state = {
    attempt: null, // {attempt_id, deadline, questions}
    journal: { answers: {}, flags: {}, current: 0, all: false },
    offset: 0, // server clock minus local clock, ms
    deadline: null, // ms since epoch, server clock
    closed: false,
    timers: {},
    inflight: {},
  };

  // ------------------------------------------------------------------ storage
  var paperKey = "exam-paper-" + USER + "-" + SESSION;
  function journalKey() { return "exam-journal-" + USER + "-" + state.attempt.attempt_id; }
  function store(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* storage full: the server still has acked answers */ }
  }
  function load(key) {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function saveJournal() { if (!state.closed) store(journalKey(), state.journal); }
  // Once the attempt has ended nothing of the paper stays on this computer (a shared exam-hall PC).
  function forget() {
    try {
      localStorage.removeItem(paperKey);
      if (state.attempt) localStorage.removeItem(journalKey());
    } catch (e) { /* storage unavailable: nothing was kept */ }
  }

  // ------------------------------------------------------------------ network
  function call(method, url, body) {
    var options = {
      method: method,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": CSRF },
    };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(API + url, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, data: data };
      });
    });
  }

  function syncClock(data) {
    if (data && data.server_time) state.offset = Date.parse(data.server_time) - Date.now();
    if (data && data.deadline) {
      var deadline = Date.parse(data.deadline);
      // A proctor's extension moves the deadline later: say so, never change the timer silently.
      if (state.deadline && deadline - state.deadline >= 1000 && !state.closed) {
        var minutes = Math.round((deadline - state.deadline) / 60000);
        showNotice("监考员已为您延长考试时间" + (minutes >= 1 ? " " + minutes + " 分钟" : "") +
          "，新的截止时间为 " + beijingTime(deadline) + "（北京时间）。");
      }
      state.deadline = deadline;
    }
  }

  function beijingTime(ms) { // HH:MM in UTC+8, whatever the computer's own time zone
    return new Date(ms + 8 * 3600 * 1000).toISOString().slice(11, 16);
  }

  // ------------------------------------------------------------------ answers
  function entry(qid) { return state.journal.answers[qid]; }
  function answerOf(qid) { var e = entry(qid); return e ? e.value : null; }
  function isAnswered(qid) {
    var v = answerOf(qid);
    return v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0);
  }
  function unsaved() {
    return Object.keys(state.journal.answers).filter(function (qid) { return !state.journal.answers[qid].acked; });
  }

  function setAnswer(qid, value) {
    if (state.closed) return;
    var previous = entry(qid);
    state.journal.answers[qid] = { value: value, rev: (previous ? previous.rev : 0) + 1, acked: false };
    saveJournal();
    renderMarks();
    renderSaveState();
    clearTimeout(state.timers[qid]);
    state.timers[qid] = setTimeout(function () { send(qid); }, DEBOUNCE_MS);
  }

  function send(qid) {
    var e = entry(qid);
    if (!e || e.acked || state.closed || state.inflight[qid]) return;
    if (!navigator.onLine) { renderSaveState(); return; }
    var rev = e.rev;
    state.inflight[qid] = true;
    call("PUT", "/attempts/" + state.attempt.attempt_id + "/answers/" + qid, { answer: e.value })
      .then(function (r) {
        state.inflight[qid] = false;
        if (r.status === 200) {
          syncClock(r.data);
          var now = entry(qid);
          if (now && now.rev === rev) { now.acked = true; now.saved_at = r.data.saved_at; saveJournal(); }
          else { send(qid); }
        } else if (r.status === 409) {
          close(r.data.error && r.data.error.message || "考试已结束");
        } else if (r.status === 401) {
          showMessage("登录已失效，请重新登录后继续作答（已作答内容保存在本机，登录后自动提交）");
        } else if (r.status === 422) {
          showMessage((r.data.error && r.data.error.message) || "答案格式有误");
        }
        renderSaveState();
      })
      .catch(function () {
        state.inflight[qid] = false; // offline or server unreachable: kept in the journal, re-sent later
        renderSaveState();
      });
  }

  function flush() { unsaved().forEach(send); }

  // ------------------------------------------------------------------ rendering
  function showMessage(text) { el.message.textContent = text; el.message.hidden = !text; }
  function showNotice(text) { el.notice.textContent = text; el.notice.hidden = !text; }

  function renderSaveState() {
    var pending = unsaved().length;
    el.save.classList.toggle("unsaved", pending > 0);
    if (state.closed) { el.save.textContent = "已交卷"; return; }
    if (pending === 0) { el.save.textContent = "全部答案已保存"; return; }
    el.save.textContent = pending + " 题未保存" + (navigator.onLine ? "，正在保存…" : "（网络已断开，恢复后自动保存）");
  }

  function renderMarks() {
    state.attempt.questions.forEach(function (q, i) {
      var button = el.grid.children[i];
      if (!button) return;
      var answered = isAnswered(q.qid);
      var flagged = !!state.journal.flags[q.qid];
      button.classList.toggle("answered", answered);
      button.classList.toggle("flagged", flagged);
      button.classList.toggle("current", i === state.journal.current);
      button.setAttribute("aria-label", "第 " + (i + 1) + " 题，" + (answered ? "已答" : "未答") + (flagged ? "，已标记" : ""));
      if (i === state.journal.current) button.setAttribute("aria-current", "true"); else button.removeAttribute("aria-current");
    });
    el.flag.textContent = state.journal.flags[currentQ().qid] ? "取消标记" : "标记本题";
    var done = state.attempt.questions.filter(function (q) { return isAnswered(q.qid); }).length;
    el.gridSummary.textContent = "题号导航（已答 " + done + " / " + state.attempt.questions.length + "）";
  }

  function currentQ() { return state.attempt.questions[state.journal.current]; }

  function renderGrid() {
    el.grid.innerHTML = "";
    state.attempt.questions.forEach(function (q, i) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "qnum";
      b.textContent = String(i + 1);
      b.addEventListener("click", function () { go(i); });
      el.grid.appendChild(b);
    });
  }

  function choiceInput(q, i, name, value, label, checked, multiple) {
    var wrap = document.createElement("label");
    wrap.className = "option";
    var input = document.createElement("input");
    input.type = multiple ? "checkbox" : "radio";
    input.name = name;
    input.value = value;
    input.checked = checked;
    input.disabled = state.closed;
    input.addEventListener("change", function () {
      if (q.type === "multiple") {
        var chosen = Array.prototype.slice.call(document.querySelectorAll('input[name="' + name + '"]:checked'))
          .map(function (x) { return x.value; }).sort();
        setAnswer(q.qid, chosen.length ? chosen : null);
      } else if (q.type === "judge") {
        setAnswer(q.qid, value === "true");
      } else {
        setAnswer(q.qid, value);
      }
    });
    wrap.appendChild(input);
    var span = document.createElement("span");
    span.textContent = label;
    wrap.appendChild(span);
    return wrap;
  }

  function renderQuestion(q, i) {
    var box = document.createElement("fieldset");
    box.className = "question";
    box.id = "q-" + q.qid;
    box.dataset.index = i;
    var legend = document.createElement("legend");
    legend.textContent = (i + 1) + ". [" + (TYPE_LABELS[q.type] || q.type) + "，" + q.points + " 分] " + q.stem;
    box.appendChild(legend);
    var name = "q" + q.qid;
    var answer = answerOf(q.qid);
    if (q.type === "judge") {
      box.appendChild(choiceInput(q, i, name, "true", "正确", answer === true, false));
      box.appendChild(choiceInput(q, i, name, "false", "错误", answer === false, false));
    } else {
      q.options.forEach(function (text, k) {
        var letter = LETTERS[k];
        var checked = q.type === "multiple" ? Array.isArray(answer) && answer.indexOf(letter) >= 0 : answer === letter;
        box.appendChild(choiceInput(q, i, name, letter, letter + ". " + text, checked, q.type === "multiple"));
      });
    }
    return box;
  }

  function renderQuestions() {
    el.questions.innerHTML = "";
    var list = state.attempt.questions;
    if (state.journal.all) {
      list.forEach(function (q, i) { el.questions.appendChild(renderQuestion(q, i)); });
    } else {
      el.questions.appendChild(renderQuestion(currentQ(), state.journal.current));
    }
    el.mode.textContent = state.journal.all ? "逐题显示" : "显示全部题目";
    el.prev.disabled = state.journal.current === 0;
    el.next.disabled = state.journal.current === list.length - 1;
    renderMarks();
  }

  function go(i, focus) {
    var n = state.attempt.questions.length;
    state.journal.current = Math.max(0, Math.min(n - 1, i));
    saveJournal();
    renderQuestions();
    var box = document.getElementById("q-" + currentQ().qid);
    if (box) {
      box.scrollIntoView({ block: "nearest" });
      if (focus !== false) { var first = box.querySelector("input"); if (first) first.focus(); }
    }
  }

  function toggleFlag() {
    var qid = currentQ().qid;
    if (state.journal.flags[qid]) delete state.journal.flags[qid]; else state.journal.flags[qid] = true;
    saveJournal();
    renderMarks();
  }

  // ------------------------------------------------------------------ clock
  function tick() {
    if (!state.deadline || state.closed) return;
    var left = Math.max(0, state.deadline - (Date.now() + state.offset));
    var s = Math.floor(left / 1000);
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    el.remaining.textContent = (h ? h + ":" : "") + (m < 10 && h ? "0" : "") + m + ":" + (sec < 10 ? "0" : "") + sec;
    el.remaining.parentNode.classList.toggle("warning", s < 300);
    if (left === 0 && !state.closed) { refresh(); }
  }

  function refresh() {
    if (!state.attempt) return;
    call("GET", "/attempts/" + state.attempt.attempt_id).then(function (r) {
      if (r.status !== 200) return;
      syncClock(r.data);
      if (r.data.status === "submitted") close("考试已结束，答卷已收取", r.data);
    }).catch(function () { /* offline: keep counting on the last known offset */ });
  }

  // ------------------------------------------------------------------ end
  // The finished state: no countdown, no paper, no 交卷 — a success message and the way back.
  // ``result``: an attempt's answer (GET /attempts or submit) with the score as the center's rule lets
  // the candidate see it — score_text (two decimals, never rounded up) or score_pending (成绩待发布).
  function close(text, result) {
    state.closed = true;
    forget();
    Array.prototype.forEach.call(root.querySelectorAll("input"), function (x) { x.disabled = true; });
    el.submit.disabled = true;
    el.submit.hidden = true;
    el.clock.hidden = true;
    el.main.hidden = true;
    showMessage("");
    showNotice("");
    var line = (text || "已交卷") + "，不能再修改答案";
    function known(data) { return data && (data.score_text || data.score_pending); }
    function show(data) {
      var tail = "。";
      if (data && data.score_text) tail = "。理论知识考试成绩：" + data.score_text + " 分";
      else if (data && data.score_pending) tail = "。成绩待发布（评价机构发布成绩后可在“我的成绩与证书”查看）";
      el.doneText.textContent = line + tail;
    }
    show(result);
    el.done.hidden = false;
    renderSaveState();
    if (!known(result) && state.attempt && state.attempt.attempt_id) {
      call("GET", "/attempts/" + state.attempt.attempt_id).then(function (r) {
        if (r.status === 200 && known(r.data)) show(r.data);
      }).catch(function () {});
    }
    el.done.querySelector("a").focus();
  }

  function openSummary() {
    var missing = [], flagged = [];
    state.attempt.questions.forEach(function (q, i) {
      if (!isAnswered(q.qid)) missing.push(i + 1);
      if (state.journal.flags[q.qid]) flagged.push(i + 1);
    });
    var pending = unsaved().length;
    el.summary.innerHTML = "";
    var lines = [
      missing.length ? "未答 " + missing.length + " 题：第 " + missing.join("、") + " 题" : "全部题目均已作答",
      flagged.length ? "已标记 " + flagged.length + " 题：第 " + flagged.join("、") + " 题" : "",
      pending ? "还有 " + pending + " 题的答案尚未保存到服务器，请确认网络连接后再交卷" : "",
    ];
    lines.forEach(function (text) {
      if (!text) return;
      var p = document.createElement("p");
      p.textContent = text;
      el.summary.appendChild(p);
    });
    el.yes.disabled = pending > 0;
    if (pending) flush();
    if (el.dialog.showModal) el.dialog.showModal(); else el.dialog.setAttribute("open", "");
    (pending ? el.no : el.yes).focus();
  }

  function submit() {
    if (unsaved().length) { openSummary(); return; }
    el.yes.disabled = true;
    call("POST", "/attempts/" + state.attempt.attempt_id + "/submit").then(function (r) {
      el.dialog.close ? el.dialog.close() : el.dialog.removeAttribute("open");
      if (r.status === 200 || r.status === 409) close("已交卷", r.status === 200 ? r.data : undefined);
      else { el.yes.disabled = false; showMessage((r.data.error && r.data.error.message) || "交卷失败，请重试"); }
    }).catch(function () {
      el.yes.disabled = false;
      showMessage("网络已断开，交卷未成功；恢复网络后请再次交卷");
    });
  }

  // ------------------------------------------------------------------ start
  function begin(attempt, serverAnswers) {
    state.attempt = { attempt_id: attempt.attempt_id, questions: attempt.questions };
    var journal = load(journalKey());
    if (journal && journal.answers) state.journal = journal;
    // the server's saved answers are the truth for everything the journal does not hold unsent
    Object.keys(serverAnswers || {}).forEach(function (qid) {
      var e = state.journal.answers[qid];
      if (!e || e.acked) state.journal.answers[qid] = { value: serverAnswers[qid], rev: e ? e.rev : 0, acked: true };
    });
    saveJournal();
    renderGrid();
    tick();
    go(state.journal.current || 0, false);
    renderSaveState();
    flush();
  }

  function start() {
    call("POST", "/sessions/" + SESSION + "/attempt").then(function (r) {
      if (r.status === 201) {
        syncClock(r.data);
        store(paperKey, { attempt_id: r.data.attempt_id, questions: r.data.questions, deadline: r.data.deadline });
        begin(r.data, r.data.answers);
      } else if (r.status === 409) {
        var cached = load(paperKey);
        var code = r.data.error && r.data.error.code;
        var text = (r.data.error && r.data.error.message) || "当前不能作答";
        if (code === "attempt_closed" || code === "theory_closed" || cached) {
          state.attempt = cached || state.attempt;
          close(text); // shows the score once the attempt has ended
        } else {
          showMessage(text); el.save.textContent = ""; state.closed = true;
          el.submit.hidden = true; el.main.hidden = true; el.clock.hidden = true;
        }
      } else {
        showMessage((r.data.error && r.data.error.message) || "无法加载试卷");
      }
    }).catch(function () {
      var cached = load(paperKey); // offline reload: resume from this computer's copy
      if (cached) {
        state.deadline = Date.parse(cached.deadline);
        begin(cached, {});
        showMessage("网络已断开：已从本机恢复试卷和答案，恢复网络后自动保存");
      } else {
        showMessage("无法连接服务器，请检查网络后刷新页面");
      }
    });
  }

  el.mode.addEventListener("click", function () { state.journal.all = !state.journal.all; saveJournal(); renderQuestions(); });
  el.prev.addEventListener("click", function () { go(state.journal.current - 1); });
  el.next.addEventListener("click", function () { go(state.journal.current + 1); });
  el.flag.addEventListener("click", toggleFlag);
  el.submit.addEventListener("click", openSummary);
  el.yes.addEventListener("click", submit);
  el.no.addEventListener("click", function () { el.dialog.close ? el.dialog.close() : el.dialog.removeAttribute("open"); });
  // Arrow keys move between the options of a question: radios do it themselves; the checkboxes of
  // a multiple-choice question do not, so they are moved here (space still ticks).
  var ARROWS = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1 };
  function moveBetweenOptions(event) {
    var input = event.target;
    if (!(event.key in ARROWS) || !input || input.type !== "checkbox") return false;
    var box = input.closest(".question");
    if (!box) return false;
    var options = Array.prototype.slice.call(box.querySelectorAll("input"));
    var next = options[(options.indexOf(input) + ARROWS[event.key] + options.length) % options.length];
    if (next) next.focus();
    event.preventDefault();
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (!state.attempt || event.ctrlKey || event.metaKey || event.altKey) return;
    if (el.dialog.open) return;
    if (moveBetweenOptions(event)) return;
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "textarea" || (tag === "input" && event.target.type === "text")) return;
    var key = event.key.toLowerCase();
    if (key === "n") { go(state.journal.current + 1); event.preventDefault(); }
    else if (key === "p") { go(state.journal.current - 1); event.preventDefault(); }
    else if (key === "f") { toggleFlag(); event.preventDefault(); }
  });
  window.addEventListener("online", function () { showMessage(""); flush(); renderSaveState(); });
  window.addEventListener("offline", renderSaveState);
  setInterval(tick, 1000);
  setInterval(function () { if (!state.closed) flush(); }, RETRY_MS);
  setInterval(function () { if (!state.closed) refresh(); }, SYNC_MS);
  // The question first, the grid folded on a phone; open beside the question on a wide screen.
  if (window.matchMedia && window.matchMedia("(min-width: 701px)").matches) el.gridBox.open = true;
  start();
})();
