// The live dialogue room, on every room page (viewer, asker, moderator, host). Without this module each page
// still works by refreshing; with it, the page keeps a websocket to /ws/dialogues/<id>/ open and applies each
// numbered frame once, in order. After any drop it reconnects with ?since=<last number seen> (after a random
// wait: dialogue-backoff.js), so nothing said while away is missed.
// The viewer page applies frames itself (it is watched by thousands: no page fetch per change); the staff pages
// (a few moderators and hosts) fetch their own page again and swap the changing part in place, so that the
// server renders every form exactly as without JavaScript; what was typed and where the focus was are kept.
import { reconnectDelay } from "./dialogue-backoff.js";

const root = document.getElementById("dialogue-room");
const stringsNode = document.getElementById("dialogue-strings");

if (root && stringsNode && "WebSocket" in window) {
  const t = JSON.parse(stringsNode.textContent);
  const dialogueId = root.dataset.dialogue;
  const page = root.dataset.page || "viewer";
  const staff = root.dataset.staff || "";
  const status = root.querySelector("[data-live-status]");
  const list = root.querySelector("[data-questions]");
  const announce = root.querySelector("[data-announce]");
  let voting = root.dataset.voting === "1";
  let lastSeq = Number(root.dataset.lastSeq || 0);
  let socket = null;
  let attempt = 0;
  let refs = 0;
  const pending = new Map();

  const setStatus = (text, link) => {
    if (!status) return;
    status.textContent = text;
    if (link) {
      const a = document.createElement("a");
      a.href = window.location.pathname;
      a.textContent = t.refresh;
      status.append(" ", a);
    }
  };

  const say = (text) => {
    if (announce) announce.textContent = text;
  };

  const el = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  };

  const questionItem = (q) => {
    const li = el("li", "dlg-question");
    li.id = `q-${q.id}`;
    li.dataset.question = q.id;
    li.append(el("p", "dlg-question__text", q.text));
    const meta = el("p", "dlg-question__meta");
    const votes = el("span", "", String(q.votes));
    votes.dataset.votes = "";
    const count = el("span");
    count.append(votes, ` ${t.votes}`);
    const answered = el("span", "dlg-question__answered", ` · ${t.answered}`);
    answered.dataset.answered = "";
    answered.hidden = q.status !== "answered";
    // An asker who did not choose to show their name is sent without it: shown as "Participant <n>".
    const asker = q.asker || t.participant.replace("%(number)s", String(q.asker_number));
    meta.append(el("span", "", t.askedBy.replace("%(name)s", asker)), " · ", count, answered);
    li.append(meta);
    if (voting && q.status !== "answered") {
      const button = el("button", "button button--secondary button--small", t.vote);
      button.type = "button";
      button.dataset.vote = q.id;
      li.append(button);
    }
    const answers = el("ol", "dlg-answers");
    answers.dataset.answers = "";
    li.append(answers);
    return li;
  };

  const item = (id) => document.getElementById(`q-${id}`);
  const refreshEmpty = () => {
    const empty = root.querySelector("[data-empty]");
    if (empty && list) empty.hidden = list.children.length > 0;
  };
  const hideNow = () => {
    const now = root.querySelector("[data-now]");
    if (now) now.hidden = true;
  };

  // What every page shows of the dialogue itself: its state, its times, its video link.
  const showState = (state) => {
    root.dataset.state = state;
    const asking = t.asking.includes(state);
    for (const badge of root.querySelectorAll("[data-dialogue-state]")) {
      badge.textContent = t.states[state] || state;
      badge.className = `tag dlg-state dlg-state--${state}`;
    }
    const ask = root.querySelector("[data-ask-link]");
    if (ask) ask.hidden = !asking;
    const transcript = root.querySelector("[data-transcript-link]");
    if (transcript) transcript.hidden = state !== "ended" && state !== "published";
    voting = asking;
    root.dataset.voting = asking ? "1" : "";
    for (const form of root.querySelectorAll("[data-vote-form], [data-vote]")) form.hidden = !asking;
    // The asker's page: the form appears when questions open; once they close, what was typed stays.
    const form = root.querySelector("[data-ask-form]");
    const notOpen = root.querySelector("[data-not-open-notice]");
    const closed = root.querySelector("[data-closed-notice]");
    if (form && asking) {
      form.hidden = false;
      if (notOpen) notOpen.hidden = true;
      if (closed) closed.hidden = true;
    }
    if (closed && !asking && form && !form.hidden) {
      closed.textContent = t.closed;
      closed.hidden = false;
    }
    if (state === "ended") {
      hideNow();
      say(t.ended);
    } else {
      say(t.states[state] || state);
    }
  };

  const showSchedule = (data) => {
    const when = root.querySelector("[data-when]");
    if (when && data.when) when.textContent = data.when;
    const stream = root.querySelector("[data-stream]");
    if (stream) {
      stream.hidden = !data.stream_url;
      stream.querySelector("[data-stream-link]").href = data.stream_url || "#";
      stream.querySelector("[data-stream-url]").textContent = data.stream_url || "";
    }
    const title = root.querySelector("h1[data-title]");
    if (title && data.title) title.textContent = data.title;
  };

  const viewerHandlers = {
    question(data) {
      if (!list || item(data.id)) return;
      list.append(questionItem(data));
      refreshEmpty();
    },
    votes(data) {
      const node = item(data.id)?.querySelector("[data-votes]");
      if (node) node.textContent = String(data.votes);
    },
    question_removed(data) {
      item(data.id)?.remove();
      refreshEmpty();
    },
    question_merged(data) {
      item(data.id)?.remove();
      viewerHandlers.votes({ id: data.into, votes: data.votes });
      refreshEmpty();
    },
    order(data) {
      if (!list) return;
      for (const id of data.ids) {
        const node = item(id);
        if (node && !node.classList.contains("dlg-question--answered")) list.append(node);
      }
      // Answered questions stay below the ones still to answer.
      for (const node of list.querySelectorAll(".dlg-question--answered")) list.append(node);
    },
    now_answering(data) {
      const now = root.querySelector("[data-now]");
      if (!now) return;
      now.querySelector("[data-now-text]").textContent = data.text;
      now.hidden = false;
    },
    answer(data) {
      const answers = item(data.question)?.querySelector("[data-answers]");
      if (answers) {
        const li = el("li", "dlg-answer");
        li.append(el("p", "dlg-answer__label", t.answer), el("p", "", data.text));
        answers.append(li);
      }
      say(`${t.newAnswer}: ${data.text}`);
    },
    answered(data) {
      const node = item(data.id);
      if (node) {
        node.classList.add("dlg-question--answered");
        const mark = node.querySelector("[data-answered]");
        if (mark) mark.hidden = false;
        for (const vote of node.querySelectorAll("[data-vote-form], [data-vote]")) vote.remove(); // no votes once answered
        if (list) list.append(node);
      }
      if (!data.now_answering) hideNow();
    },
  };

  // Staff pages: the server renders the changing part again. Changes arriving together are fetched once.
  let refreshTimer = null;
  let refreshing = false;
  let again = false;
  const refreshRegion = async () => {
    refreshTimer = null;
    if (refreshing) {
      again = true;
      return;
    }
    refreshing = true;
    try {
      const response = await fetch(window.location.pathname, { credentials: "same-origin", headers: { "X-Room-Refresh": "1" } });
      if (!response.ok) throw new Error(String(response.status));
      const html = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = html.querySelector("[data-live-region]");
      const region = root.querySelector("[data-live-region]");
      if (!fresh || !region) return;
      const typed = new Map();
      for (const field of region.querySelectorAll("textarea[id], input[type=text][id], select[id]")) {
        if (field.value && field.value !== field.defaultValue) typed.set(field.id, field.value);
      }
      const focused = document.activeElement?.closest("[id]")?.id;
      region.replaceWith(fresh);
      for (const [id, value] of typed) {
        const field = document.getElementById(id);
        if (field) field.value = value;
      }
      if (focused) document.getElementById(focused)?.focus({ preventScroll: true });
      root.dispatchEvent(new CustomEvent("room:refreshed"));
    } catch (error) {
      setStatus(t.changed, true);
    } finally {
      refreshing = false;
      if (again) {
        again = false;
        scheduleRefresh();
      }
    }
  };
  const scheduleRefresh = () => {
    if (refreshTimer === null) refreshTimer = window.setTimeout(refreshRegion, 150);
  };

  const applyFrame = (frame) => {
    if (frame.type === "state") showState(frame.data.state);
    if (frame.type === "schedule") showSchedule(frame.data);
    if (page === "viewer") {
      viewerHandlers[frame.type]?.(frame.data);
      return;
    }
    if (!staff) return; // the asker's page only follows the state
    if (frame.type === "votes") {
      viewerHandlers.votes(frame.data); // counts change in place; the order is the moderators' to change
      return;
    }
    if (page === "host" && (frame.type === "question_submitted" || frame.type === "question_rejected")) return;
    if (frame.type === "question_submitted") say(t.newPending);
    scheduleRefresh();
  };

  const onFrame = (frame) => {
    if (frame.type === "hello") {
      if (frame.data.reload) window.location.reload();
      attempt = 0;
      root.dataset.connected = "1";
      setStatus(t.live);
      return;
    }
    if (frame.type === "viewers") {
      const box = root.querySelector("[data-viewers]");
      if (box) {
        box.querySelector("[data-viewer-count]").textContent = String(frame.data.count);
        box.hidden = false;
      }
      return;
    }
    if (frame.type === "ok" || frame.type === "error") {
      const button = pending.get(frame.ref);
      pending.delete(frame.ref);
      if (button) {
        button.disabled = frame.type === "ok";
        say(frame.type === "ok" ? t.voted : frame.message);
      }
      return;
    }
    if (typeof frame.seq !== "number" || frame.seq <= lastSeq) return; // already applied
    lastSeq = frame.seq;
    applyFrame(frame);
  };

  const connect = () => {
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${window.location.host}/ws/dialogues/${dialogueId}/?since=${lastSeq}`);
    socket.addEventListener("message", (event) => {
      try {
        onFrame(JSON.parse(event.data));
      } catch (error) {
        console.error("dialogue frame", error);
      }
    });
    socket.addEventListener("close", (event) => {
      root.dataset.connected = "";
      if (event.code === 4404) return;
      setStatus(t.reconnecting);
      // 4008: this page fell behind and was dropped; it resumes soon, but spread like any other reconnect.
      const delay = event.code === 4008 ? reconnectDelay(1) : reconnectDelay(attempt++);
      window.setTimeout(connect, delay);
    });
  };

  if (page === "viewer") {
    root.addEventListener("click", (event) => {
      const button = event.target.closest("[data-vote]");
      if (!button || !voting || !socket || socket.readyState !== WebSocket.OPEN) return;
      event.preventDefault();
      const ref = `v${++refs}`;
      pending.set(ref, button);
      socket.send(JSON.stringify({ action: "vote", question: Number(button.dataset.vote), ref }));
    });
  }

  // The socket keeps the page current: the no-JavaScript refresh is not needed.
  connect();
}
