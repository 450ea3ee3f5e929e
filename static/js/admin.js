// Webmaster area: live Markdown preview (rendered by the server's sanitizing renderer),
// symbol suggestions for relations, confirmation of destructive forms. No inline script.
(function () {
  var token = document.querySelector('meta[name="csrf-token"]');
  token = token ? token.getAttribute("content") : "";

  function debounce(fn, wait) {
    var timer = null;
    return function () {
      var args = arguments, self = this;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(self, args); }, wait);
    };
  }

  document.querySelectorAll(".js-markdown").forEach(function (area) {
    var target = document.getElementById(area.getAttribute("data-preview"));
    if (!target) return;
    var refresh = debounce(function () {
      var body = new FormData();
      body.append("body", area.value);
      fetch(area.getAttribute("data-url"), {
        method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRFToken": token }
      }).then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) { if (data) target.innerHTML = data.html; })  // sanitized by the server (nh3)
        .catch(function () { /* keep the last preview */ });
    }, 400);
    area.addEventListener("input", refresh);
  });

  var list = document.getElementById("goi-y-ky-hieu");
  document.querySelectorAll(".js-symbol").forEach(function (input) {
    var suggest = debounce(function () {
      var text = input.value.trim();
      if (!list || text.length < 1) return;
      fetch(input.getAttribute("data-url") + "?q=" + encodeURIComponent(text), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { items: [] }; })
        .then(function (data) {
          list.textContent = "";
          data.items.forEach(function (item) {
            var option = document.createElement("option");
            option.value = item.symbol;
            option.label = item.symbol + " (" + item.year + "): " + item.subject;
            list.appendChild(option);
          });
        })
        .catch(function () { /* suggestions are optional */ });
    }, 250);
    input.addEventListener("input", suggest);
  });

  document.addEventListener("submit", function (event) {
    var form = event.target.closest(".js-confirm");
    if (form && !window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
  });

  var summary = document.getElementById("tom-tat-loi");
  if (summary) summary.focus();
})();
