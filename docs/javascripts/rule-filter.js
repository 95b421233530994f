// Filters the rows of the rule index table as the reader types.
document$.subscribe(function () {
  var input = document.getElementById("rule-filter");
  if (!input) return;
  var table = document.querySelector("article table");
  if (!table) return;
  var rows = table.querySelectorAll("tbody tr");
  input.addEventListener("input", function () {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    rows.forEach(function (row) {
      var text = row.textContent.toLowerCase();
      row.style.display = words.every(function (w) { return text.indexOf(w) >= 0; }) ? "" : "none";
    });
  });
});
