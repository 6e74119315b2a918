(function () {
  "use strict";
  var table = document.getElementById("findings");
  if (!table) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var q = document.getElementById("f-text");
  var status = document.getElementById("f-status");
  var severity = document.getElementById("f-severity");
  var bench = document.getElementById("f-benchmark");
  var shown = document.getElementById("f-shown");

  function matches(r, text) {
    var s = r.getAttribute("data-status");
    if (status.value === "" ? s === "pass" : status.value !== "*" && s !== status.value) { return false; }
    if (severity.value !== "" && r.getAttribute("data-severity") !== severity.value) { return false; }
    if (bench.value !== "" && r.getAttribute("data-benchmarks").split("\n").indexOf(bench.value) < 0) { return false; }
    return text === "" || r.textContent.toLowerCase().indexOf(text) >= 0;
  }
  function apply() {
    var text = q.value.trim().toLowerCase(), n = 0;
    for (var i = 0; i < rows.length; i++) {
      var ok = matches(rows[i], text);
      rows[i].hidden = !ok;
      if (ok) { n++; }
    }
    shown.textContent = String(n);
  }
  function key(r, col) {
    var c = r.cells[col];
    var k = c.getAttribute("data-sort");
    return k !== null ? k : c.textContent;
  }
  var heads = table.tHead.rows[0].cells;
  function sortBy(col) {
    var th = heads[col];
    var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
    for (var i = 0; i < heads.length; i++) { heads[i].removeAttribute("aria-sort"); }
    th.setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
    var numeric = th.getAttribute("data-type") === "number";
    rows.sort(function (a, b) {
      var x = key(a, col), y = key(b, col);
      var d = numeric ? Number(x) - Number(y) : x.localeCompare(y);
      return d !== 0 ? d * dir : Number(a.getAttribute("data-i")) - Number(b.getAttribute("data-i"));
    });
    var frag = document.createDocumentFragment();
    rows.forEach(function (r) { frag.appendChild(r); });
    body.appendChild(frag);
  }
  for (var i = 0; i < heads.length; i++) {
    (function (col) {
      heads[col].addEventListener("click", function () { sortBy(col); });
      heads[col].addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sortBy(col); }
      });
    })(i);
  }
  [q, status, severity, bench].forEach(function (el) {
    el.addEventListener("input", apply);
    el.addEventListener("change", apply);
  });
  // A link may set the filters and the sort: #q=TEXT&status=S&severity=S&benchmark=B&sort=N&dir=desc
  // (status "*" shows every status; sort is a column's index from 0).
  var params = {};
  location.hash.replace(/^#/, "").split("&").forEach(function (kv) {
    var i = kv.indexOf("=");
    if (i > 0) {
      try { params[decodeURIComponent(kv.slice(0, i))] = decodeURIComponent(kv.slice(i + 1)); } catch (e) { /* ignored */ }
    }
  });
  if (params.q !== undefined) { q.value = params.q; }
  [[status, params.status], [severity, params.severity], [bench, params.benchmark]].forEach(function (p) {
    for (var i = 0; p[1] !== undefined && i < p[0].options.length; i++) {
      if (p[0].options[i].value === p[1]) { p[0].value = p[1]; }
    }
  });
  var col = parseInt(params.sort, 10);
  if (col >= 0 && col < heads.length) {
    sortBy(col);
    if (params.dir === "desc") { sortBy(col); }
  }
  apply();
  document.body.setAttribute("data-ready", "true");
})();
