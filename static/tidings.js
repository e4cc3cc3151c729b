// Progressive enhancement: feedback without a page reload, and "open" signals.
// Everything here also works as plain forms and links without JavaScript.
(function () {
  "use strict";

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function send(form) {
    return fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken(form) },
      credentials: "same-origin",
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var card = form.closest(".card");
    if (!card || !form.action.match(/\/feedback\/$/)) return;
    event.preventDefault();
    var signal = form.querySelector("input[name=signal]").value;
    send(form).then(function (response) {
      if (!response.ok) { form.submit(); return; }
      if (signal === "dislike" || signal === "hide") {
        card.remove();
      } else {
        var button = form.querySelector("button");
        button.setAttribute("aria-pressed", "true");
      }
    }).catch(function () { form.submit(); });
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-open]");
    if (!link) return;
    var card = link.closest(".card");
    var form = card && card.querySelector("form");
    if (!form) return;
    var data = new FormData();
    data.append("signal", "open");
    data.append("csrfmiddlewaretoken", csrfToken(form));
    navigator.sendBeacon(link.dataset.open, data);
  });
})();
