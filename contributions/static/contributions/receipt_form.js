// 登记缴费: when the year changes, offer only that year's grades (the form refuses any other grade anyway).
(function () {
  var table = document.getElementById("grade-table");
  var year = document.getElementById("id_year");
  var grade = document.getElementById("id_grade");
  if (!table || !year || !grade) { return; }
  var grades = JSON.parse(table.textContent);
  year.addEventListener("change", function () {
    var keep = grade.value;
    grade.innerHTML = "";
    (grades[year.value] || []).forEach(function (g) {
      var option = document.createElement("option");
      option.value = g;
      option.textContent = g + " 元";
      option.selected = g === keep;
      grade.appendChild(option);
    });
  });
})();
