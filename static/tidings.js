// Progressive enhancement for Tidings. Everything here also works as plain forms and
// links without JavaScript; this script only makes it quicker:
//  - card actions (like, less like this, hide, save) without a page reload, with undo;
//  - "Not about Chips" / "About Trade policy" applied in place (the button flips);
//  - an "open" signal when a story is opened;
//  - the next page appended as you reach the end (the "Older stories" link stays);
//  - stories marked read as you scroll past them (when that setting is on);
//  - keyboard shortcuts (j k o l d h s / ?);
//  - the time zone guessed from the browser during onboarding.
(function () {
  "use strict";

  var DISMISSING = { dislike: "You will see less like this.", hide: "Story hidden." };
  var KEYS = { l: "like", d: "dislike", h: "hide", s: "save" };

  function csrfToken(root) {
    var input = (root || document).querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // The server's JSON reply, or a failure when anything else came back: an error, or
  // a redirect (an ended session sends the request on to the login page, which
  // answers 200 in HTML). The caller then submits the form itself, as without
  // JavaScript.
  function post(url, data) {
    return fetch(url, {
      method: "POST",
      body: data,
      headers: { "Accept": "application/json", "X-CSRFToken": data.get("csrfmiddlewaretoken") },
      credentials: "same-origin",
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (!response.ok || response.redirected || type.indexOf("application/json") !== 0) {
        throw new Error("Unexpected reply: HTTP " + response.status + " from " + response.url);
      }
      return response.json();
    }).then(function (reply) {
      if (!reply || reply.ok !== true || typeof reply.active !== "boolean") {
        throw new Error("Unexpected reply");
      }
      return reply;
    });
  }

  function announce(text) {
    var region = document.getElementById("live");
    if (!region) {
      region = document.createElement("div");
      region.id = "live";
      region.className = "visually-hidden";
      region.setAttribute("aria-live", "polite");
      document.body.appendChild(region);
    }
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  // --- Card actions -------------------------------------------------------------

  function setUndo(form, on) {
    var undo = form.querySelector("input[name=undo]");
    if (on && !undo) {
      undo = document.createElement("input");
      undo.type = "hidden";
      undo.name = "undo";
      undo.value = "1";
      form.appendChild(undo);
    } else if (!on && undo) {
      undo.remove();
    }
  }

  // The card gives way to a note with an Undo button. Focus that was in the card
  // moves to the Undo button (after a keyboard shortcut: to the next card), and
  // the note stays while it holds focus.
  function dismiss(card, form, signal, byKey) {
    var placeholder = document.createElement("div");
    placeholder.className = "card gone";
    placeholder.setAttribute("role", "status");
    var text = document.createElement("p");
    text.textContent = DISMISSING[signal];
    var undo = document.createElement("button");
    undo.type = "button";
    undo.className = "small";
    undo.textContent = "Undo";
    placeholder.appendChild(text);
    placeholder.appendChild(undo);
    var hadFocus = card.contains(document.activeElement);
    var next = nextCard(card, 1);
    card.replaceWith(placeholder);
    if (byKey && next) select(next, false);
    else if (hadFocus || byKey) undo.focus();
    undo.addEventListener("click", function () {
      // Undoing "less like this" gives back the like it replaced: liking the story
      // again withdraws the dislike too, as on the server.
      var liked = signal === "dislike" && card.querySelector("[data-signal=like][aria-pressed=true]");
      var data = new FormData(liked ? liked.form : form);
      if (liked) data.delete("undo"); else data.set("undo", "1");
      post(form.action, data).then(function () {
        placeholder.replaceWith(card);
        card.classList.remove("is-busy");
        select(card, true);
      }).catch(function () { window.location.reload(); });
    });
    function expire() {
      if (!placeholder.isConnected) return;
      if (placeholder.contains(document.activeElement)) window.setTimeout(expire, 15000);
      else placeholder.remove();
    }
    window.setTimeout(expire, 15000);
  }

  function act(form, byKey) {
    var card = form.closest(".card");
    var signal = form.querySelector("input[name=signal]").value;
    var button = form.querySelector("button");
    card.classList.add("is-busy");
    return post(form.action, new FormData(form)).then(function (reply) {
      card.classList.remove("is-busy");
      if (DISMISSING[signal] && reply.active) {
        dismiss(card, form, signal, byKey);
        announce(DISMISSING[signal]);
        return;
      }
      if (button.hasAttribute("aria-pressed")) {
        button.setAttribute("aria-pressed", reply.active ? "true" : "false");
        setUndo(form, reply.active);
        if (signal === "like" && reply.active) {
          // A like replaces a dislike and the other way round, as on the server.
          var other = card.querySelector("[data-signal=dislike]");
          if (other) setUndo(other.form, false);
        }
        announce((reply.active ? "" : "Un-") + (signal === "save" ? "saved" : "liked"));
      }
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.closest(".card[data-article]") || !/\/feedback\/$/.test(form.action)) return;
    event.preventDefault();
    act(form).catch(function () { form.submit(); });
  });

  // --- Topic verdicts ------------------------------------------------------------

  function chipList(card) {
    var list = card.querySelector(".topic-row .chips");
    if (!list) {
      list = document.createElement("ul");
      list.className = "chips";
      list.setAttribute("aria-label", "Topics");
      card.querySelector(".topic-row").prepend(list);
    }
    return list;
  }

  function applyVerdict(card, button) {
    var slug = button.value;
    var name = button.dataset.name;
    var about = button.name === "about";
    var chip = card.querySelector('.chips a.chip[data-topic="' + slug + '"]');
    if (!about && chip) chip.parentElement.remove();
    if (about && !chip) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.className = "chip";
      link.dataset.topic = slug;
      link.href = "/?topic=" + encodeURIComponent(slug);
      link.textContent = name;
      item.appendChild(link);
      chipList(card).appendChild(item);
    }
    // The same button now states the opposite.
    button.name = about ? "not_about" : "about";
    button.textContent = (about ? "Not about " : "About ") + name;
    var title = card.querySelector(".card-title a").firstChild.textContent;
    button.setAttribute("aria-label", button.textContent + ": " + title);
    return (about ? "Noted: about " : "Noted: not about ") + name + ".";
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    if (!form.classList.contains("verdict-forms") || !button || !button.name) return;
    event.preventDefault();
    var card = form.closest(".card");
    var data = new FormData(form);
    data.set(button.name, button.value);
    post(form.action, data).then(function () {
      var note = form.querySelector(".verdict-done");
      if (!note) {
        note = document.createElement("span");
        note.className = "verdict-done";
        note.setAttribute("role", "status");
        form.appendChild(note);
      }
      note.textContent = applyVerdict(card, button);
    }).catch(function () {
      var field = document.createElement("input");
      field.type = "hidden";
      field.name = button.name;
      field.value = button.value;
      form.appendChild(field);
      form.submit();
    });
  });

  // --- Open signal --------------------------------------------------------------

  function recordOpen(link) {
    var data = new FormData();
    data.append("signal", "open");
    data.append("csrfmiddlewaretoken", csrfToken(link.closest(".card")));
    if (navigator.sendBeacon) navigator.sendBeacon(link.dataset.open, data);
  }

  function onOpen(event) {
    var link = event.target.closest && event.target.closest("a[data-open]");
    if (link && (event.type === "click" || event.button === 1)) recordOpen(link);
  }
  document.addEventListener("click", onOpen);
  document.addEventListener("auxclick", onOpen);

  // --- Infinite scroll with the "Older stories" link as fallback ----------------

  var cards = document.querySelector("[data-cards]");

  function loadMore(link) {
    if (link.dataset.loading) return;
    link.dataset.loading = "1";
    link.textContent = "Loading…";
    fetch(link.href, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var known = {};
        cards.querySelectorAll(".card[data-article]").forEach(function (card) {
          known[card.dataset.article] = true;
        });
        page.querySelectorAll("[data-cards] .card[data-article]").forEach(function (card) {
          if (known[card.dataset.article]) return;
          var imported = document.importNode(card, true);
          cards.appendChild(imported);
          watchRead(imported);
        });
        var holder = link.parentNode;
        var next = page.querySelector("a[data-more]");
        if (next) {
          link.href = next.getAttribute("href");
          link.textContent = "Older stories";
          delete link.dataset.loading;
        } else {
          holder.remove();
        }
      })
      .catch(function () {
        // Leave the link as it was: following it still works.
        link.textContent = "Older stories";
        delete link.dataset.loading;
        moreObserver && moreObserver.disconnect();
      });
  }

  var moreLink = document.querySelector("a[data-more]");
  var moreObserver = null;
  if (cards && moreLink && "IntersectionObserver" in window) {
    moreObserver = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) loadMore(entry.target);
      });
    }, { rootMargin: "600px 0px" });
    moreObserver.observe(moreLink);
  }

  // --- Mark as read while scrolling past ----------------------------------------

  var readUrl = cards && cards.dataset.markRead;
  var readQueue = [];
  var readSent = {};
  var readObserver = null;

  function flushRead(useBeacon) {
    if (!readQueue.length) return;
    var data = new FormData();
    data.append("ids", readQueue.join(","));
    data.append("csrfmiddlewaretoken", csrfToken());
    readQueue = [];
    if (useBeacon && navigator.sendBeacon) {
      navigator.sendBeacon(readUrl, data);
    } else {
      fetch(readUrl, { method: "POST", body: data, credentials: "same-origin",
                       headers: { "X-CSRFToken": data.get("csrfmiddlewaretoken") } });
    }
  }

  function watchRead(card) {
    if (readObserver) readObserver.observe(card);
  }

  if (readUrl && "IntersectionObserver" in window) {
    readObserver = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        var id = entry.target.dataset.article;
        // Scrolled past: no longer visible, and above the viewport.
        if (!entry.isIntersecting && entry.boundingClientRect.bottom < 0 && !readSent[id]) {
          readSent[id] = true;
          readQueue.push(id);
          readObserver.unobserve(entry.target);
        }
      });
    });
    cards.querySelectorAll(".card[data-article]").forEach(watchRead);
    window.setInterval(function () { flushRead(false); }, 3000);
    window.addEventListener("pagehide", function () { flushRead(true); });
  }

  // --- Keyboard shortcuts -------------------------------------------------------

  function allCards() {
    return cards ? Array.prototype.slice.call(cards.querySelectorAll(".card[data-article]")) : [];
  }

  function current() {
    return cards && cards.querySelector(".card.is-current");
  }

  function nextCard(card, step) {
    var list = allCards();
    var index = list.indexOf(card);
    return list[index + step] || null;
  }

  function markCurrent(card) {
    var previous = current();
    if (previous === card) return;
    if (previous) previous.classList.remove("is-current");
    card.classList.add("is-current");
  }

  function select(card, scroll) {
    markCurrent(card);
    card.focus({ preventScroll: true });
    if (scroll !== false) card.scrollIntoView({ block: "nearest" });
  }

  // Focus moving into a card (Tab, a click) makes it the one shortcuts act on.
  document.addEventListener("focusin", function (event) {
    var card = cards && event.target.closest && event.target.closest(".card[data-article]");
    if (card && cards.contains(card)) markCurrent(card);
  });

  function move(step) {
    var list = allCards();
    if (!list.length) return;
    var card = current();
    var target = card ? nextCard(card, step) : list[step > 0 ? 0 : list.length - 1];
    if (!target && step > 0) {
      var more = document.querySelector("a[data-more]");
      if (more) loadMore(more);
      return;
    }
    if (target) select(target);
  }

  var help = document.getElementById("shortcuts");

  function openHelp() {
    if (help && !help.open && help.showModal) help.showModal();
  }

  document.querySelectorAll(".js-only").forEach(function (node) { node.hidden = false; });
  document.querySelectorAll("[data-shortcuts]").forEach(function (button) {
    button.addEventListener("click", openHelp);
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    var target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable], dialog[open]")) return;
    var key = event.key;
    if (key === "?") { event.preventDefault(); openHelp(); return; }
    if (key === "/") {
      var search = document.querySelector("[data-search]");
      if (search) { event.preventDefault(); search.focus(); }
      return;
    }
    if (key === "j" || key === "k") { event.preventDefault(); move(key === "j" ? 1 : -1); return; }
    var card = current();
    if (!card) return;
    if (key === "o" || key === "Enter" && target === card) {
      var link = card.querySelector("a[data-open]");
      if (link) {
        event.preventDefault();
        recordOpen(link);
        window.open(link.href, "_blank", "noopener,noreferrer");
      }
      return;
    }
    var signal = KEYS[key];
    if (!signal) return;
    var button = card.querySelector("[data-signal=" + signal + "]");
    if (button) {
      event.preventDefault();
      act(button.form, true).catch(function () { button.form.submit(); });
    }
  });

  // --- Onboarding: the browser's time zone --------------------------------------

  document.querySelectorAll("select[data-guess-timezone]").forEach(function (select) {
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (error) { return; }
    if (!zone || select.value !== "UTC") return;
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === zone) { select.value = zone; return; }
    }
  });
})();
