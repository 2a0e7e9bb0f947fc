// The school-mail chat. Plain script, no libraries. Every message is put on the page with
// textContent, never as markup.
(() => {
  "use strict";
  const log = document.getElementById("log");
  if (!log) return;
  const base = "/c/" + encodeURIComponent(document.body.dataset.code);
  const strings = JSON.parse(document.getElementById("strings").textContent);
  const form = document.getElementById("composer");
  const box = document.getElementById("text");
  const choices = document.getElementById("choices");
  const status = document.getElementById("status");
  const alertLine = document.getElementById("alert");
  const still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  const seen = new Set();
  let after = log.dataset.after || "0"; // the server's cursor: "last message id.last notice id"
  let busy = false;

  for (const item of log.querySelectorAll("li[data-id]")) seen.add(item.dataset.id);

  function node(tag, className, text) {
    const element = document.createElement(tag);
    if (className) element.className = className;
    if (text !== undefined) element.textContent = text;
    return element;
  }

  function show(bubble) {
    if (bubble.id) {
      if (seen.has(bubble.id)) return null;
      seen.add(bubble.id);
    }
    const item = node("li", "msg " + bubble.sender);
    if (bubble.id) item.dataset.id = bubble.id;
    if (bubble.signature) {
      item.append(node("p", "sig", bubble.signature));
    } else {
      item.append(node("span", "sr-only", (bubble.sender === "resident" ? strings.you : strings.bot) + ":"));
    }
    item.append(node("p", "text", bubble.text));
    if (bubble.when) item.append(node("p", "when", bubble.when));
    log.append(item);
    item.scrollIntoView({ block: "nearest", behavior: still ? "auto" : "smooth" });
    return item;
  }

  function offer(list) {
    choices.replaceChildren();
    for (const choice of list) {
      const button = node("button", "", choice.label);
      button.type = "button";
      button.dataset.command = choice.command;
      choices.append(button);
    }
  }

  function currentChoices() {
    return Array.from(choices.querySelectorAll("button"), (b) => ({ label: b.textContent, command: b.dataset.command }));
  }

  async function post(path, body) {
    const response = await fetch(base + path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body || {}),
    });
    let data = {};
    try { data = await response.json(); } catch (_) { /* not JSON: keep the generic message */ }
    return { ok: response.ok, status: response.status, data };
  }

  function problem(result, fallback) {
    return result && typeof result.data.detail === "string" && result.status !== 422 ? result.data.detail : fallback;
  }

  async function send(body, shown) {
    busy = true;
    form.setAttribute("aria-busy", "true");
    alertLine.textContent = "";
    status.textContent = strings.sending;
    const byChoice = "command" in body;
    const before = currentChoices();
    const mine = show({ sender: "resident", text: shown });
    mine.classList.add("pending");
    offer([]);
    if (!byChoice) { box.value = ""; box.style.height = ""; }
    let result = null;
    try {
      result = await post("/messages", body);
    } catch (_) { /* offline: handled below */ }
    busy = false;
    form.removeAttribute("aria-busy");
    status.textContent = "";
    if (!result || !result.ok) {
      mine.remove();
      offer(before);
      if (!byChoice) box.value = shown;
      alertLine.textContent = problem(result, strings.failed);
      return;
    }
    mine.classList.remove("pending");
    const reply = result.data;
    if (reply.reload) { window.location.reload(); return; }
    if (reply.clear) log.replaceChildren();
    reply.bubbles.forEach(show);
    offer(reply.choices);
    if (byChoice) (choices.querySelector("button") || box).focus();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = box.value;
    if (busy || !text.trim()) return;
    send({ text }, text);
  });
  box.addEventListener("input", () => {
    box.style.height = "auto";
    box.style.height = box.scrollHeight + 2 + "px";
  });
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  choices.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-command]");
    if (!button || busy) return;
    send({ command: button.dataset.command }, button.textContent);
  });

  // Consultants' replies arrive live: an event stream, or polling where that fails.
  function listen() {
    if (!window.EventSource) { poll(); return; }
    const source = new EventSource(base + "/events?after=" + after);
    let failures = 0;
    source.addEventListener("open", () => { failures = 0; status.textContent = ""; });
    source.addEventListener("reply", (event) => {
      if (event.lastEventId) after = event.lastEventId;
      show(JSON.parse(event.data));
    });
    source.addEventListener("error", () => {
      failures += 1;
      if (source.readyState === EventSource.CLOSED || failures >= 3) {
        source.close();
        poll();
      }
    });
  }

  async function poll() {
    try {
      const response = await fetch(base + "/events?after=" + after, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (response.status === 401 || response.status === 404) {
        alertLine.textContent = strings.expired;
        return;
      }
      if (response.ok) {
        const updates = await response.json();
        updates.bubbles.forEach(show);
        after = updates.after;
        if (status.textContent === strings.offline) status.textContent = "";
      }
    } catch (_) {
      status.textContent = strings.offline;
    }
    window.setTimeout(poll, 5000);
  }

  // Continue on another device.
  const getCode = document.getElementById("get-code");
  const codeOut = document.getElementById("code-out");
  getCode.addEventListener("click", async () => {
    let result = null;
    try { result = await post("/resume-code"); } catch (_) { /* offline */ }
    if (result && result.ok) {
      codeOut.textContent = result.data.code;
      status.textContent = strings.copied;
    } else {
      alertLine.textContent = problem(result, strings.failed);
    }
  });
  const resumeForm = document.getElementById("resume");
  const resumeCode = document.getElementById("resume-code");
  resumeForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!resumeCode.value.trim()) return;
    let result = null;
    try { result = await post("/resume", { code: resumeCode.value }); } catch (_) { /* offline */ }
    if (result && result.ok) { window.location.reload(); return; }
    alertLine.textContent = problem(result, strings.resumeFailed);
    resumeCode.focus();
  });

  // A returning resident sees where the conversation stands; a first visit starts at the top.
  if (after !== "0.0" && log.lastElementChild) log.lastElementChild.scrollIntoView({ block: "nearest" });
  listen();
})();
