// tsunagu consultant workspace: live queue and ticket updates, canned replies.
// Pages work without this script; it only keeps them current. Text from the server is put
// into the page as text (textContent, value) or as fragments the server rendered escaped.
"use strict";

(function () {
  const body = document.body;
  const prefix = body.dataset.prefix || "/workspace";

  // Listen to a server-sent event stream; poll `fallback` when EventSource is missing.
  function listen(url, name, onData, fallback) {
    if (!("EventSource" in window)) {
      window.setInterval(fallback, 2000);
      return;
    }
    const source = new EventSource(url);
    source.addEventListener(name, function (event) {
      onData(JSON.parse(event.data));
    });
    source.addEventListener("signed-out", function () {
      source.close();
      window.location.reload();
    });
  }

  // A fragment rendered by the server, parsed without running anything in it.
  async function fragment(url) {
    const response = await fetch(url, {
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    });
    if (response.status === 401) {
      window.location.reload();
      return null;
    }
    if (!response.ok) {
      return null;
    }
    return new DOMParser().parseFromString(await response.text(), "text/html");
  }

  function replaceKeepingFocus(old, fresh) {
    const focused = document.activeElement;
    const href = focused && old.contains(focused) ? focused.getAttribute("href") : null;
    const adopted = document.importNode(fresh, true);
    old.replaceWith(adopted);
    if (href) {
      for (const link of adopted.querySelectorAll("a[href]")) {
        if (link.getAttribute("href") === href) {
          link.focus();
          break;
        }
      }
    }
    return adopted;
  }

  // -- the queue ------------------------------------------------------------------------------

  function queuePage() {
    const baseTitle = body.dataset.title || document.title;
    const count = document.getElementById("waiting-count");
    const live = document.getElementById("live");
    let busy = false;
    let again = false;

    function showWaiting(waiting) {
      document.title = "(" + waiting + ") " + baseTitle;
      count.textContent = String(waiting);
    }

    async function refresh() {
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      try {
        const doc = await fragment(prefix + "/queue/rows" + window.location.search);
        const fresh = doc && doc.getElementById("queue-rows");
        const old = document.getElementById("queue-rows");
        if (!fresh || !old) {
          return;
        }
        const known = new Set(
          Array.from(old.querySelectorAll("tr[data-id]"), (row) => row.dataset.id)
        );
        const rows = replaceKeepingFocus(old, fresh);
        let added = 0;
        for (const row of rows.querySelectorAll("tr[data-id]")) {
          if (!known.has(row.dataset.id)) {
            row.classList.add("is-new");
            added += 1;
          }
        }
        showWaiting(Number(rows.dataset.waiting));
        if (added) {
          live.textContent = live.dataset.newLabel + ": " + added;
        }
      } finally {
        busy = false;
        if (again) {
          again = false;
          refresh();
        }
      }
    }

    listen(
      prefix + "/queue/events" + window.location.search,
      "queue",
      function (data) {
        showWaiting(data.waiting);
        const rows = document.getElementById("queue-rows");
        if (rows && data.fingerprint !== rows.dataset.fingerprint) {
          refresh();
        }
      },
      refresh
    );
  }

  // -- a ticket -------------------------------------------------------------------------------

  function ticketPage() {
    const ticket = body.dataset.ticket;
    const picker = document.getElementById("canned-form");
    const reply = document.getElementById("reply-text");
    if (picker && reply) {
      picker.addEventListener("submit", function (event) {
        event.preventDefault();
        const option = picker.querySelector("select").selectedOptions[0];
        if (!option) {
          return;
        }
        const text = option.dataset.text || "";
        const start = reply.selectionStart;
        const end = reply.selectionEnd;
        reply.value = reply.value.slice(0, start) + text + reply.value.slice(end);
        reply.focus();
        reply.setSelectionRange(start + text.length, start + text.length);
      });
    }

    async function refresh() {
      const doc = await fragment(prefix + "/tickets/" + ticket + "/transcript");
      const fresh = doc && doc.getElementById("transcript");
      const old = document.getElementById("transcript");
      if (fresh && old && fresh.dataset.fingerprint !== old.dataset.fingerprint) {
        replaceKeepingFocus(old, fresh);
      }
    }

    listen(
      prefix + "/tickets/" + ticket + "/events",
      "ticket",
      function (data) {
        const transcript = document.getElementById("transcript");
        if (transcript && data.fingerprint !== transcript.dataset.fingerprint) {
          refresh();
        }
        const changed =
          data.status !== body.dataset.status ||
          String(data.holder || "") !== body.dataset.holder ||
          String(data.consultant) !== body.dataset.consultant;
        if (changed) {
          document.getElementById("changed").hidden = false;
        }
      },
      refresh
    );
  }

  if (body.dataset.page === "queue") {
    queuePage();
  } else if (body.dataset.page === "ticket") {
    ticketPage();
  }
})();
