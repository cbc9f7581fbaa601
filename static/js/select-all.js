// Select-all for lists with row checkboxes: <input type="checkbox" data-select-all="NAME"> in the
// header ticks every enabled <input type="checkbox" name="NAME"> of the same form. A static file, no
// inline script (Content-Security-Policy). Without JavaScript each row is ticked by hand.
(function () {
  document.querySelectorAll("input[type=checkbox][data-select-all]").forEach(function (all) {
    var form = all.form || document;
    var boxes = function () {
      return Array.prototype.filter.call(
        form.querySelectorAll('input[type=checkbox][name="' + all.dataset.selectAll + '"]'),
        function (box) { return !box.disabled; });
    };
    all.hidden = false;
    all.addEventListener("change", function () {
      boxes().forEach(function (box) { box.checked = all.checked; });
    });
    form.addEventListener("change", function (e) {
      if (e.target === all || e.target.name !== all.dataset.selectAll) { return; }
      var list = boxes(), ticked = list.filter(function (box) { return box.checked; }).length;
      all.checked = list.length > 0 && ticked === list.length;
      all.indeterminate = ticked > 0 && ticked < list.length;
    });
  });
})();
