// 书面笔答成绩录入: Enter moves to the next candidate's score (Tab already does); the last one submits.
document.addEventListener("DOMContentLoaded", function () {
  var inputs = Array.prototype.slice.call(document.querySelectorAll("input.paper-score:not([disabled])"));
  inputs.forEach(function (input, index) {
    input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") return;
      var next = inputs[index + 1];
      if (next) {
        event.preventDefault();
        next.focus();
        next.select();
      }
    });
  });
  if (inputs.length) inputs[0].focus();
});
