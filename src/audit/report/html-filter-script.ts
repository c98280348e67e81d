/**
 * The HTML report's only script, inline and plain: the severity and layer checkboxes show the
 * findings they tick and hide the others, and say how many are shown. Without it (scripts off)
 * every finding stays visible.
 */
export const FILTER_SCRIPT = `
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) return;
  var findings = Array.prototype.slice.call(document.querySelectorAll(".finding"));
  var shown = document.getElementById("shown");
  var none = document.getElementById("none-shown");
  function ticked(name) {
    var values = {};
    Array.prototype.forEach.call(form.querySelectorAll("input[name=" + name + "]"), function (box) {
      if (box.checked) values[box.value] = true;
    });
    return values;
  }
  function apply() {
    var severities = ticked("severity");
    var layers = ticked("layer");
    var count = 0;
    findings.forEach(function (finding) {
      var visible = severities[finding.dataset.severity] === true && layers[finding.dataset.layer] === true;
      finding.hidden = !visible;
      if (visible) count++;
    });
    shown.textContent = count + " of " + findings.length + " shown";
    none.hidden = count > 0 || findings.length === 0;
  }
  form.addEventListener("change", apply);
  form.hidden = false;
  apply();
})();
`;
