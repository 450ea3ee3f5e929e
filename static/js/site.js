// Text size (A- / A+), remembered per browser, and the print button. No inline script anywhere.
(function () {
  var sizes = ["text-sm", "", "text-lg", "text-xl"];
  var root = document.documentElement;
  function apply(index) {
    sizes.forEach(function (name) { if (name) root.classList.remove(name); });
    if (sizes[index]) root.classList.add(sizes[index]);
    try { localStorage.setItem("portal-text-size", String(index)); } catch (e) { /* private mode */ }
  }
  var current = 1;
  try { current = parseInt(localStorage.getItem("portal-text-size") || "1", 10); } catch (e) { current = 1; }
  if (!(current >= 0 && current < sizes.length)) current = 1;
  apply(current);
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target.closest(".js-text-larger")) { current = Math.min(current + 1, sizes.length - 1); apply(current); }
    if (target.closest(".js-text-smaller")) { current = Math.max(current - 1, 0); apply(current); }
    if (target.closest(".js-print")) { window.print(); }
  });
})();

// Folding filters: open on wide screens, folded on phones (closed in the HTML, so a phone never
// shows them unfolded for a moment).
(function () {
  var wide = window.matchMedia("(min-width: 48.01rem)");
  function sync() {
    document.querySelectorAll("details.filter-fold").forEach(function (d) { d.open = wide.matches; });
  }
  sync();
  if (wide.addEventListener) wide.addEventListener("change", sync);
})();
