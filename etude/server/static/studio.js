// The studio page: lessons, the score (notation, piano roll, findings, playback, downloads) and
// the chat. Plain ES modules, no build step; every piece of text from the server is set as
// text, never as HTML (replies' Markdown is drawn node by node), so a reply cannot inject markup.

import { download, getJSON, postForm, postJSON, streamTurn } from "./api.js";
import { renderMarkdown } from "./markdown.js";
import { abcIn, abcNotes } from "./music.js";
import { Notation } from "./notation.js";
import { PianoRoll, partColour } from "./pianoroll.js";
import { Synth } from "./synth.js";

const $ = (id) => document.getElementById(id);
const state = { session: null, score: null, busy: false, selectedBar: null };
const roll = new PianoRoll($("roll"));
const notation = new Notation($("notation"));
const synth = new Synth();
const TOOL_LABELS = { theory: "theory", critic: "score critic", encoder: "style encoder", memory: "memory" };
const FORMAT_LABELS = { musicxml: "MusicXML", midi: "MIDI", abc: "ABC" };

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

function level() {
  return $("level").value || null;
}

// ---- Lessons -------------------------------------------------------------------------------

async function refreshSessions() {
  const { sessions } = await getJSON("/sessions");
  const list = $("sessions");
  list.replaceChildren(
    ...sessions.map((s) =>
      el("li", {}, el("button", {
        type: "button",
        "aria-current": String(s.id === state.session),
        title: s.title || "New lesson",
        text: s.title || "New lesson",
        onclick: () => openSession(s.id),
      })),
    ),
  );
  return sessions;
}

async function newSession() {
  const created = await postJSON("/sessions");
  await openSession(created.id);
}

async function openSession(id) {
  synth.stop();
  state.session = id;
  history.replaceState(null, "", `#s=${id}`);
  const detail = await getJSON(`/sessions/${id}`);
  $("session-label").textContent = `started ${new Date(detail.created * 1000).toLocaleString()}`;
  const messages = $("messages");
  messages.replaceChildren();
  if (!detail.messages.length) messages.append(emptyChat());
  for (const m of detail.messages) messages.append(bubble(m.role, m.content));
  messages.scrollTop = messages.scrollHeight;
  clearScore();
  if (detail.score) {
    setStatus(`Loading ${detail.score.filename}…`);
    try {
      showScore(await getJSON(`/sessions/${id}/score${level() ? `?level=${level()}` : ""}`));
      setStatus("");
    } catch (error) {
      setStatus(error.message, true);
    }
  }
  await refreshSessions();
}

// ---- Profile ------------------------------------------------------------------------------

async function refreshProfile() {
  const me = await getJSON("/me");
  const p = me.profile;
  $("profile-recap").textContent = me.recap;
  const facts = [];
  if (p.name) facts.push(["Name", p.name]);
  if (p.instruments.length) facts.push(["Plays", p.instruments.join(", ")]);
  if (p.level) facts.push(["Level", p.level]);
  if (p.goals.length) facts.push(["Goals", p.goals.join("; ")]);
  facts.push(["Lessons", String(me.sessions)]);
  $("profile-facts").replaceChildren(...facts.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })]));
  const entries = Object.entries(me.progress).sort((a, b) => b[1] - a[1]);
  const most = Math.max(1, ...entries.map(([, n]) => n));
  $("progress").replaceChildren(
    ...(entries.length
      ? entries.map(([tool, n]) => {
          const bar = el("span", { class: "bar", role: "presentation" }, el("span"));
          bar.firstChild.style.width = `${(100 * n) / most}%`;
          return el("li", { "aria-label": `${TOOL_LABELS[tool] || tool}: ${n} turns` },
            el("span", { text: TOOL_LABELS[tool] || tool }), bar, el("span", { text: String(n) }));
        })
      : [el("li", { class: "muted", text: "No lessons yet." })]),
  );
  showMastery(me.lessons);
}

// Mastery per skill of the learner's curriculum track (the `etude progress` report).
function showMastery(lessons) {
  const skills = (lessons && lessons.skills) || [];
  $("mastery-panel").hidden = !skills.length;
  $("mastery-track").textContent = lessons && lessons.track ? `(${lessons.track})` : "";
  $("mastery").replaceChildren(
    ...skills.map((skill) => {
      const percent = Math.round(100 * skill.p_known);
      const bar = el("span", { class: "bar", role: "presentation" }, el("span"));
      bar.firstChild.style.width = `${percent}%`;
      return el("li", { "aria-label": `${skill.title}: ${skill.state}, ${percent}% mastered` },
        el("span", { text: skill.title, title: skill.state }), bar, el("span", { text: `${percent}%` }),
        masteryCurve(skill.history || []));
    }),
  );
}

// The skill's mastery estimate after each of the learner's answers, as a small line plot: the
// issue asks for mastery over time, and a curve shows a slip or a climb that one bar hides.
function masteryCurve(history) {
  if (history.length < 2) return null;
  const svgNS = "http://www.w3.org/2000/svg";
  const width = 120, height = 24, first = history[0].exercise, last = history[history.length - 1].exercise;
  const x = (n) => (last === first ? 0 : ((n - first) / (last - first)) * (width - 4) + 2);
  const y = (p) => height - 2 - p * (height - 4);
  const svg = document.createElementNS(svgNS, "svg");
  svg.setAttribute("class", "curve");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("preserveAspectRatio", "none");
  svg.setAttribute("role", "img");
  const percents = history.map((point) => Math.round(100 * point.p_known));
  svg.setAttribute("aria-label", `mastery after each of ${history.length} answers: ${percents.join("%, ")}%`);
  const line = document.createElementNS(svgNS, "polyline");
  line.setAttribute("points", history.map((point) => `${x(point.exercise).toFixed(1)},${y(point.p_known).toFixed(1)}`).join(" "));
  svg.append(line);
  return svg;
}

// ---- Score --------------------------------------------------------------------------------

function setStatus(text, isError = false) {
  const status = $("score-status");
  status.textContent = text;
  status.classList.toggle("error", isError);
}

function clearScore() {
  state.score = null;
  state.selectedBar = null;
  $("score-body").hidden = true;
  $("play").disabled = true;
  $("downloads").hidden = true;
  $("score-meta").textContent = "";
  $("attach-label").hidden = true;
  $("dropzone").classList.remove("compact");
  setStatus("");
}

async function upload(file) {
  if (!file) return;
  if (!state.session) await newSession();
  setStatus(`Reading ${file.name}…`);
  const form = new FormData();
  form.append("file", file);
  if (level()) form.append("level", level());
  try {
    showScore(await postForm(`/sessions/${state.session}/uploads`, form));
    setStatus("");
  } catch (error) {
    setStatus(error.message, true);
  }
}

function showScore(reply) {
  state.score = reply;
  const { analysis, view, upload: meta } = reply;
  $("score-body").hidden = false;
  $("dropzone").classList.add("compact");
  $("play").disabled = false;
  $("downloads").hidden = false;
  $("score-meta").textContent = meta.filename;
  $("attach-name").textContent = meta.filename;
  $("attach-label").hidden = false;
  $("attach").checked = true;

  const key = analysis.key ? `${analysis.key.tonic} ${analysis.key.mode}` : "key unclear";
  const pills = [key, analysis.time_signature, `${analysis.bars} bars`, `${analysis.parts} parts`, `${analysis.notes} notes`];
  if (analysis.tempo_bpm) pills.push(`♩ = ${Math.round(analysis.tempo_bpm)}`);
  // The part's colour in the roll as a swatch beside its name: the name itself stays in ink,
  // which every theme keeps readable.
  const partKeys = view.parts.map((name, i) => {
    const swatch = el("span", { class: "swatch", "aria-hidden": "true" });
    swatch.style.background = partColour(i);
    return el("span", { class: "pill part" }, swatch, name);
  });
  $("score-summary").replaceChildren(...pills.filter(Boolean).map((t) => el("span", { class: "pill", text: t })), ...partKeys);

  // MIDI cannot mark an upbeat: when the critic thinks the file starts with one, every bar
  // number below may be one off from the learner's score, so that is said above them.
  const pickup = analysis.unmarked_pickup;
  $("pickup-note").hidden = !pickup;
  $("pickup-note").textContent = pickup ? `Bar numbers: ${pickup.message}` : "";

  const findings = analysis.findings;
  roll.show(view, findings);
  $("findings").replaceChildren(
    ...(findings.length
      ? findings.map((f, index) =>
          el("li", {}, el("button", {
            type: "button",
            class: f.severity,
            "aria-pressed": "false",
            "data-bar": String(f.bar),
            onclick: (event) => selectFinding(f.bar, event.currentTarget),
          },
          el("span", { class: "severity", text: f.severity }),
          el("span", { class: "where", text: `Bar ${f.measure ?? f.bar}, beat ${f.beat}` }),
          el("span", { class: "rule", text: f.rule.replaceAll("_", " ") }),
          el("div", { text: f.message })), fixOffer(f, index)),
        )
      : [el("li", { class: "none", text: "No problems found at this level. Well done!" })]),
  );
  showSurprise(analysis.encoder, view);
  notation.show(view, findings).catch((error) => {
    $("notation").replaceChildren(el("p", { class: "muted", text: `The notation could not be drawn: ${error.message}` }));
  });
}

// The encoder's heat strip: a button per bar, darker where its least expected note was less
// expected; pressing one marks the bar in the notation and the roll and names the note.
function showSurprise(encoder, view) {
  const bars = (encoder && encoder.bars) || [];
  $("surprise-block").hidden = !bars.length;
  $("surprise-note").textContent = "";
  if (!bars.length) {
    $("surprise-strip").replaceChildren();
    return;
  }
  // shaded between the piece's calmest bar and its least expected one, so the strip shows
  // where a piece stands out, not how surprising music is in general
  const top = Math.max(...bars.map((b) => b.score));
  const low = Math.min(...bars.map((b) => b.score));
  const notes = new Map();
  for (const note of encoder.surprise || []) if (!notes.has(note.bar)) notes.set(note.bar, note);
  $("surprise-strip").replaceChildren(...bars.map((b) => {
    const note = notes.get(b.bar);
    const button = el("button", {
      type: "button",
      "aria-pressed": "false",
      "data-bar": String(b.bar),
      "aria-label": `Bar ${b.bar}: least expected note ${b.score.toFixed(1)} (the piece's highest: ${top.toFixed(1)})`,
      title: `Bar ${b.bar}`,
      onclick: (event) => selectSurprise(b, note, view, event.currentTarget),
    });
    button.style.setProperty("--heat", String(top > low ? 0.08 + (0.92 * (b.score - low)) / (top - low) : 0.5));
    return button;
  }));
}

function selectSurprise(bar, note, view, button) {
  document.querySelectorAll("#surprise-strip button").forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
  state.selectedBar = bar.bar;
  roll.select(bar.bar);
  notation.mark(bar.bar);
  if (note) {
    const part = view.parts[note.part] || `part ${note.part + 1}`;
    const expected = note.expected.length ? `; MusicBERT expected ${note.expected.join(" or ")} more` : "";
    $("surprise-note").textContent = `Bar ${note.bar}, ${part}, beat ${note.beat}: ${note.pitch} is among the piece's least expected notes${expected}. The model's sense of the style, not a rule.`;
  } else {
    $("surprise-note").textContent = `Bar ${bar.bar}: no note here is among the ten MusicBERT expected least.`;
  }
}

// The critic's verified fix for a finding, and the button that applies it on the server.
function fixOffer(finding, index) {
  const suggestion = finding.suggestion;
  if (!suggestion || !suggestion.changes || !suggestion.changes.length) return null;
  const notes = suggestion.changes.map((c) => `${c.from} → ${c.to}`).join(", ");
  const where = `bar ${finding.measure ?? finding.bar}`;
  return el("div", { class: "fix" },
    el("span", { text: `Verified fix: ${notes}` }),
    el("button", {
      type: "button",
      class: "button small",
      "data-finding": String(index),
      "aria-label": `Apply fix in ${where}: ${notes}`,
      text: "Apply fix",
      onclick: () => applyFix(index),
    }));
}

// The corrected score becomes the lesson's score: shown, analysed again, ready to download.
async function applyFix(index) {
  if (!state.score) return;
  const { id, filename } = state.score.upload;
  setStatus(`Applying the fix to ${filename}…`);
  const payload = { finding: index };
  if (level()) payload.level = level();
  try {
    const reply = await postJSON(`/sessions/${state.session}/uploads/${id}/fixes`, payload);
    showScore(reply);
    setStatus(`Fixed. Your score is now ${reply.upload.filename}: download it above.`);
    $("downloads").querySelector("button").focus();
  } catch (error) {
    setStatus(error.message, true);
  }
}

// Take the upload home in one format; the server names the file after the learner's own.
async function downloadScore(format) {
  if (!state.score) return;
  const { id } = state.score.upload;
  try {
    const name = await download(`/sessions/${state.session}/uploads/${id}/${format}`);
    setStatus(`Downloaded ${name}.`);
  } catch (error) {
    setStatus(`No ${FORMAT_LABELS[format]} file: ${error.message}`, true);
  }
}

// Move to the next (step 1) or previous (step -1) finding, select it and focus its button.
function stepFinding(step) {
  const buttons = [...document.querySelectorAll("#findings li button[data-bar]")];
  if (!buttons.length) return;
  const at = buttons.findIndex((b) => b.getAttribute("aria-pressed") === "true");
  const next = buttons[(at + step + buttons.length) % buttons.length] || buttons[0];
  next.focus();
  next.click();
}

function selectFinding(bar, button) {
  state.selectedBar = bar;
  document.querySelectorAll("#findings button[data-bar]").forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
  roll.select(bar);
  notation.mark(bar);
}

// One synthesiser for the upload and for every tune in the chat: starting one stops the
// other, and a second press on the same button stops it.
let playingButton = null;

function playFrom(button, notes, bpm, parts, onTick = null) {
  const again = synth.playing && playingButton === button;
  synth.stop();
  if (again || !notes.length) return;
  const label = button.textContent;
  playingButton = button;
  synth.onEnd = () => {
    button.textContent = label;
    button.setAttribute("aria-pressed", "false");
    playingButton = null;
    if (onTick) onTick(null);
  };
  synth.play(notes, bpm, parts);
  button.textContent = "■ Stop";
  button.setAttribute("aria-pressed", "true");
  if (!onTick) return;
  const tick = () => {
    const position = synth.positionQl();
    if (position === null || playingButton !== button) return;
    onTick(Math.max(0, position));
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

function togglePlay() {
  const { view, analysis } = state.score;
  playFrom($("play"), view.notes, analysis.tempo_bpm || 90, view.parts.length, (ql) => roll.setPlayhead(ql));
}

// Engrave the tunes a message contains: a reply's fenced ABC in place of the fence, else a tune
// written in the text (a learner's paste) under it; each with Play and its downloads.
function attachMusic(node, content) {
  node.querySelectorAll(".message-music").forEach((box) => box.remove());
  if (!window.ABCJS) return;
  const slots = [...node.querySelectorAll(".tune-slot")];
  if (slots.length) {
    slots.forEach((slot) => engrave(slot, slot.dataset.abc, true));
    return;
  }
  const abc = abcIn(content);
  if (abc) engrave(node, abc, false);
}

function engrave(where, abc, inPlace) {
  const sheet = el("div", { class: "message-score" });
  const play = el("button", { type: "button", class: "button", "aria-pressed": "false", text: "▶ Play tune" });
  const saves = Object.entries(FORMAT_LABELS).map(([format, label]) =>
    el("button", {
      type: "button",
      class: "button",
      "data-format": format,
      "aria-label": `Download the tune as ${label}`,
      text: label,
      onclick: () => downloadTune(abc, format),
    }));
  const tools = el("div", { class: "tools" }, play, el("span", { class: "muted", text: "Download:" }), ...saves);
  const box = el("div", { class: "message-music paper" }, sheet, tools);
  const fallback = inPlace ? [...where.childNodes] : null;
  if (inPlace) where.replaceChildren(box);
  else where.append(box);
  try {
    // Laid out at the box's own width, wrapped into lines of a few bars, so a long tune keeps
    // a readable note size instead of being shrunk to fit one line.
    // (A message being built is not on the page yet: then the chat's width tells.)
    const room = sheet.clientWidth || 0.8 * $("messages").clientWidth;
    const width = Math.max(220, Math.min(620, room - 24));
    const [tune] = window.ABCJS.renderAbc(sheet, abc, {
      add_classes: true,
      staffwidth: width,
      wrap: { minSpacing: 1.6, maxSpacing: 2.6, preferredMeasuresPerLine: 4 },
    });
    // abcjs leaves a 1-px SVG on the body for measuring text, marked role="img" without a name:
    // it is no picture, so assistive technology should not meet it.
    document.querySelectorAll("body > svg[role='img']").forEach((svg) => svg.setAttribute("aria-hidden", "true"));
    const music = abcNotes(tune);
    if (!music.notes.length) throw new Error("no notes");
    const title = (/^T:\s*(.+)$/m.exec(abc) || [])[1];
    sheet.setAttribute("role", "img");
    sheet.setAttribute("aria-label", `Engraved tune${title ? `: ${title}` : ""}`);
    play.addEventListener("click", () => playFrom(play, music.notes, music.bpm, music.parts));
  } catch (_) {
    box.remove(); // not a tune after all: the text alone says it
    if (fallback) where.replaceChildren(...fallback);
  }
}

async function downloadTune(abc, format) {
  try {
    const name = await download(`/sessions/${state.session}/tunes/${format}`, { abc });
    setStatus(`Downloaded ${name}.`);
  } catch (error) {
    setStatus(`No ${FORMAT_LABELS[format]} file of the tune: ${error.message}`, true);
  }
}

// ---- Chat ---------------------------------------------------------------------------------

function emptyChat() {
  const template = el("div", { class: "empty-chat muted", id: "empty-chat" },
    el("p", { text: "Ask anything about harmony, voice leading or your own piece." }),
    el("ul", { class: "suggestions" }, ...[
      ["Notes of D minor 7", "Which notes make up a D minor seventh chord?"],
      ["Why avoid parallel fifths?", "Why should I avoid parallel fifths?"],
      ["Review my score", "What should I improve in my score?"],
    ].map(([label, ask]) => el("li", {}, el("button", { type: "button", class: "chip", "data-ask": ask, text: label })))),
  );
  return template;
}

function bubble(role, content) {
  const node = el("div", { class: `message ${role === "human" ? "human" : "ai"}` });
  setReply(node, content);
  attachMusic(node, content);
  return node;
}

// A learner's message is their own text; a reply is Markdown (lists, bold, fenced tunes),
// its sources set apart.
function setReply(node, content) {
  if (node.classList.contains("human")) {
    node.textContent = content;
    return;
  }
  const at = content.lastIndexOf("\n\nSources:");
  const body = at >= 0 ? content.slice(0, at) : content;
  node.replaceChildren(renderMarkdown(body));
  if (at >= 0) node.append(el("span", { class: "sources", text: content.slice(at + 2) }));
}

async function ask(message) {
  if (state.busy || !message.trim()) return;
  if (!state.session) await newSession();
  state.busy = true;
  $("send").disabled = true;
  const messages = $("messages");
  $("empty-chat")?.remove();
  messages.append(bubble("human", message));
  const reply = el("div", { class: "message ai typing", "aria-busy": "true" });
  const meta = el("div", { class: "meta" });
  messages.append(reply);
  messages.scrollTop = messages.scrollHeight;
  let text = "";
  let tokens = 0;
  const payload = { message };
  if (level()) payload.level = level();
  if (state.score && $("attach").checked) payload.upload = state.score.upload.id;
  try {
    await streamTurn(`/sessions/${state.session}/turns`, payload, (event) => {
      if (event.event === "route") {
        const tools = event.tools.length ? event.tools : ["conversation"];
        reply.dataset.route = tools.join(" "); // the turn is under way and in the lesson's history
        meta.replaceChildren(...tools.map((t) => el("span", { class: "tag", text: TOOL_LABELS[t] || t })));
      } else if (event.event === "evidence") {
        const count = event.items.length;
        meta.append(el("span", { class: "tag", text: `${count} ${count === 1 ? "fact" : "facts"} from ${TOOL_LABELS[event.tool] || event.tool}` }));
      } else if (event.event === "token") {
        text += event.text;
        tokens += 1;
        reply.dataset.tokens = String(tokens); // how the reply arrived: tests and curious readers
        setReply(reply, text);
      } else if (event.event === "done") {
        setReply(reply, event.result.answer);
        attachMusic(reply, event.result.answer);
        const seconds = (event.result.timings_ms.total || 0) / 1000;
        meta.append(el("span", { class: "tag", text: `${seconds.toFixed(1)} s` }));
      } else if (event.event === "error") {
        throw new Error(event.error);
      }
      messages.scrollTop = messages.scrollHeight;
    });
  } catch (error) {
    reply.className = "message error";
    reply.textContent = error.message;
  } finally {
    reply.classList.remove("typing");
    reply.removeAttribute("aria-busy");
    if (meta.childNodes.length) reply.append(meta);
    state.busy = false;
    $("send").disabled = false;
    messages.scrollTop = messages.scrollHeight;
  }
  await Promise.all([refreshSessions(), refreshProfile()]);
}

// ---- Wiring -------------------------------------------------------------------------------

function wire() {
  const drop = $("dropzone");
  const input = $("file");
  drop.addEventListener("click", () => input.click());
  drop.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      input.click();
    }
  });
  input.addEventListener("change", () => {
    upload(input.files[0]);
    input.value = "";
  });
  for (const name of ["dragenter", "dragover"]) {
    drop.addEventListener(name, (event) => {
      event.preventDefault();
      drop.classList.add("dragging");
    });
  }
  for (const name of ["dragleave", "drop"]) {
    drop.addEventListener(name, () => drop.classList.remove("dragging"));
  }
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    upload(event.dataTransfer.files[0]);
  });

  $("play").addEventListener("click", togglePlay);
  for (const button of $("downloads").querySelectorAll("button[data-format]")) {
    button.setAttribute("aria-label", `Download your score as ${FORMAT_LABELS[button.dataset.format]}`);
    button.addEventListener("click", () => downloadScore(button.dataset.format));
  }
  wireTheme();
  wireShortcuts();
  $("new-session").addEventListener("click", newSession);
  $("level").value = localStorage.getItem("etude-level") || "";
  $("level").addEventListener("change", () => localStorage.setItem("etude-level", $("level").value));

  const form = $("ask");
  const box = $("message");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (state.busy) return; // keep the draft until the reply being written is done
    const message = box.value;
    box.value = "";
    ask(message);
  });
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  $("messages").addEventListener("click", (event) => {
    const chip = event.target.closest("[data-ask]");
    if (chip) ask(chip.dataset.ask);
  });
  window.addEventListener("resize", () => roll.draw());
}

// ---- Theme and keyboard -----------------------------------------------------------------

function currentTheme() {
  const chosen = document.documentElement.dataset.theme;
  if (chosen) return chosen;
  return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

function showTheme() {
  const dark = currentTheme() === "dark";
  $("theme").setAttribute("aria-pressed", String(dark));
  document.body.dataset.theme = dark ? "dark" : "light";
}

function toggleTheme() {
  const next = currentTheme() === "dark" ? "light" : "dark";
  document.documentElement.dataset.theme = next;
  localStorage.setItem("etude-theme", next);
  showTheme();
}

function wireTheme() {
  $("theme").addEventListener("click", toggleTheme);
  window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", showTheme);
  showTheme();
}

function openHelp() {
  const dialog = $("help");
  if (!dialog.open) dialog.showModal();
}

// Single keys act only when the learner is not typing, and can be turned off in the help
// (WCAG 2.1.4); Escape always stops playback.
function wireShortcuts() {
  const toggle = $("shortcuts-on");
  toggle.checked = localStorage.getItem("etude-shortcuts") !== "off";
  toggle.addEventListener("change", () => localStorage.setItem("etude-shortcuts", toggle.checked ? "on" : "off"));
  $("help-open").addEventListener("click", openHelp);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && synth.playing) {
      synth.stop();
      return;
    }
    const target = event.target;
    const typing = target.closest && target.closest("input, textarea, select, [contenteditable]");
    if (typing || event.ctrlKey || event.metaKey || event.altKey || !toggle.checked || $("help").open) return;
    const actions = {
      "?": openHelp,
      "/": () => $("message").focus(),
      u: () => $("file").click(),
      p: () => !$("play").disabled && togglePlay(),
      n: () => stepFinding(1),
      N: () => stepFinding(-1),
      t: toggleTheme,
    };
    const action = actions[event.key === "N" ? "N" : event.key.toLowerCase()];
    if (!action) return;
    event.preventDefault();
    action();
  });
}

async function start() {
  wire();
  const wanted = new URLSearchParams(location.hash.slice(1)).get("s");
  const sessions = await refreshSessions();
  const known = sessions.find((s) => s.id === wanted) || sessions[0];
  if (known) await openSession(known.id);
  else await newSession();
  await refreshProfile();
  document.body.dataset.ready = "true";
}

start().catch((error) => setStatus(error.message, true));
