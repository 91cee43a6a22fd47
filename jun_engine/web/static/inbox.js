// The inbox refreshes its rows without a reload: every few seconds it asks the server for the
// same filtered rows (HTML the server escaped) and swaps them in, marking what is new.
(function () {
  "use strict";
  var table = document.getElementById("inbox");
  var body = document.getElementById("inbox-rows");
  var fresh = document.getElementById("fresh");
  if (!table || !body) { return; }
  var url = table.getAttribute("data-rows");
  var every = Math.max(5, parseInt(table.getAttribute("data-poll"), 10) || 20) * 1000;

  function references(root) {
    var seen = {};
    root.querySelectorAll("tr[data-reference]").forEach(function (row) {
      seen[row.getAttribute("data-reference")] = true;
    });
    return seen;
  }

  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (response.redirected || !response.ok) { throw new Error("signed out"); }
        return response.text();
      })
      .then(function (html) {
        var before = references(body);
        var holder = document.createElement("tbody");
        holder.innerHTML = html;
        var added = 0;
        holder.querySelectorAll("tr[data-reference]").forEach(function (row) {
          if (!before[row.getAttribute("data-reference")]) { row.classList.add("new"); added += 1; }
        });
        body.replaceWith(holder);
        holder.id = "inbox-rows";
        body = holder;
        if (added > 0) {
          fresh.textContent = table.getAttribute("data-new-label") + " " + added;
          fresh.hidden = false;
        }
      })
      .catch(function () { /* try again at the next tick */ });
  }
  window.setInterval(refresh, every);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { refresh(); }
  });
}());
