// The live dialogue room. The page works without this module (it refreshes itself); with it, the page keeps
// a websocket open to /ws/dialogues/<id>/ and applies each numbered frame once, in order. After any drop it
// reconnects with ?since=<last number seen>, so nothing said while away is missed.
const root = document.getElementById("dialogue-room");
const stringsNode = document.getElementById("dialogue-strings");

if (root && stringsNode && "WebSocket" in window) {
  const t = JSON.parse(stringsNode.textContent);
  const dialogueId = root.dataset.dialogue;
  const staff = root.dataset.staff || "";
  const voting = root.dataset.voting === "1";
  const status = root.querySelector("[data-live-status]");
  const list = root.querySelector("[data-questions]");
  const announce = root.querySelector("[data-announce]");
  let lastSeq = Number(root.dataset.lastSeq || 0);
  let socket = null;
  let retry = 0;
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
    if (voting) {
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

  const handlers = {
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
      handlers.votes({ id: data.into, votes: data.votes });
      refreshEmpty();
    },
    order(data) {
      if (!list) return;
      for (const id of data.ids) {
        const node = item(id);
        if (node) list.append(node);
      }
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
      if (!node) return;
      node.classList.add("dlg-question--answered");
      const mark = node.querySelector("[data-answered]");
      if (mark) mark.hidden = false;
      const now = root.querySelector("[data-now]");
      if (now && now.querySelector("[data-now-text]").textContent === node.querySelector(".dlg-question__text").textContent) {
        now.hidden = true;
      }
    },
    state(data) {
      // A new state changes what the page offers (forms, links): the server renders it.
      if (root.dataset.state !== data.state) setStatus(t.changed, true);
    },
    question_submitted() {
      if (staff === "moderator") setStatus(t.newQuestions, true);
    },
  };

  const onFrame = (frame) => {
    if (frame.type === "hello") {
      if (frame.data.reload) window.location.reload();
      retry = 0;
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
    handlers[frame.type]?.(frame.data);
    if (staff && frame.type !== "question_submitted" && frame.type !== "votes") setStatus(t.changed, true);
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
      if (event.code === 4404) return;
      setStatus(t.reconnecting);
      // 4008: we fell behind and were dropped; resume at once. Otherwise back off up to 15 s.
      const delay = event.code === 4008 ? 100 : Math.min(15000, 500 * 2 ** retry++);
      window.setTimeout(connect, delay + Math.random() * 250);
    });
  };

  if (voting) {
    root.addEventListener("click", (event) => {
      const button = event.target.closest("[data-vote]");
      if (!button || !socket || socket.readyState !== WebSocket.OPEN) return;
      event.preventDefault();
      const ref = `v${++refs}`;
      pending.set(ref, button);
      socket.send(JSON.stringify({ action: "vote", question: Number(button.dataset.vote), ref }));
    });
  }

  // The socket keeps the page current: the no-JavaScript refresh is not needed.
  connect();
}
