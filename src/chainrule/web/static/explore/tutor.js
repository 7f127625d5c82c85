// The `tutor` explorer: the learner differentiates f one step at a time and the page checks
// every step. With the line-by-line tutor engine (POST /api/tutor, docs/tutor.md) each step is
// a line of d/dx [f] = …, possibly with derivatives still to take (cos(x^2)·d/dx [x^2]); each
// accepted line names its rule, a wrong one its mistake, and hints come in three levels.
// Without it, each sub-derivative the engine takes, innermost first, then f′ itself
// (POST /api/tutor_plan), each answer checked by POST /api/answer.
// State in the URL: f, lines (the accepted lines, JSON) or answers (the answers typed, JSON).
import { api, control, element, readState, status, writeState } from "./common.js";
import { useStyle } from "./walkthrough.js";

useStyle();
const state = readState({ f: "x^2 sin(x)", answers: "[]", lines: "[]" });
const main = document.getElementById("main");
const controls = element(main, "div", { className: "controls" });
const fInput = control(controls, { id: "f", label: "f(x) =", value: state.f });
const intro = element(main, "p", { id: "intro" });
const list = element(main, "ol", { id: "tasks" });
const done = element(main, "p", { id: "done", className: "verdict ok" });
done.setAttribute("aria-live", "polite");
let plan = null, answers = [], latest = 0;

function readAnswers() {
  try {
    const a = JSON.parse(state.answers);
    return Array.isArray(a) ? a.filter((x) => typeof x === "string") : [];
  } catch { return []; }
}

function save() {
  state.answers = JSON.stringify(answers);
  writeState(state);
}

let lineMode = null;  // whether the server has the line-by-line tutor

async function load() {
  if (lineMode === null) {
    const index = await fetch("/api").then((r) => r.json()).catch(() => ({ endpoints: {} }));
    lineMode = "/api/tutor" in (index.endpoints || {});
  }
  if (lineMode) return loadLines();
  const mine = ++latest;
  writeState(state);
  try {
    const p = await api("tutor_plan", { expr: state.f });
    if (mine !== latest) return;
    plan = p;
    status("");
    answers = readAnswers().slice(0, plan.tasks.length);
    intro.textContent = `Differentiate ${plan.expr} in ${plan.tasks.length} steps: write each derivative and press Check (or Enter).`;
    list.replaceChildren();
    done.textContent = "";
    plan.tasks.forEach((t, i) => task(t, i));
    // replay the answers from the URL: each is checked again by the server
    for (let i = 0; i < answers.length; i++) {
      if (!(await check(i, answers[i]))) break;
    }
    focusCurrent();
  } catch (err) {
    status(err.message, true);
  }
}

function task(t, i) {
  const li = element(list, "li", { className: "stage", id: `task-${i}` });
  li.dataset.expr = t.expr;
  li.hidden = i > answers.length;
  const form = element(li, "form", { className: "controls" });
  const label = element(form, "label", { htmlFor: `answer-${i}`, textContent: `d/d${plan.wrt} [${t.expr}] = ` });
  label.className = "question";
  const input = element(form, "input", { id: `answer-${i}`, type: "text", spellcheck: false, autocomplete: "off" });
  input.value = answers[i] ?? "";
  element(form, "button", { type: "submit", textContent: "Check" });
  const hint = element(form, "button", { type: "button", textContent: "hint" });
  const verdict = element(li, "div", { className: "verdict", id: `verdict-${i}` });
  verdict.setAttribute("aria-live", "polite");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    answers = answers.slice(0, i);
    answers[i] = input.value;
    save();
    if (await check(i, input.value)) focusCurrent();
  });
  hint.addEventListener("click", () => { verdict.className = "verdict"; verdict.textContent = `Hint: use the ${t.rule.toLowerCase()}.`; });
}

// Check answer i with the server; true when it is right (the next step is then shown).
async function check(i, text) {
  const t = plan.tasks[i];
  const verdict = document.getElementById(`verdict-${i}`);
  verdict.replaceChildren();
  if (!text.trim()) { verdict.textContent = "write the derivative first"; return false; }
  try {
    const r = await api("answer", { expr: t.expr, answer: text, wrt: plan.wrt });
    verdict.className = `verdict ${r.equivalent ? "ok" : "bad"}`;
    verdict.dataset.equivalent = String(r.equivalent);
    if (r.equivalent) {
      element(verdict, "span", { textContent: `✓ right: ${text}` });
      const next = document.getElementById(`task-${i + 1}`);
      if (next) next.hidden = false;
      else done.textContent = `Done: f′ = ${r.correct}`;
      return true;
    }
    element(verdict, "p", { textContent: `✗ ${r.explanation}` });
    if (r.mistake) verdict.dataset.mistake = r.mistake;
    if (r.counterexample) verdict.dataset.counterexample = JSON.stringify(r.counterexample);
    return false;
  } catch (err) {
    verdict.className = "verdict bad";
    verdict.textContent = err.message;
    return false;
  }
}

function focusCurrent() {
  const open = [...list.querySelectorAll("li:not([hidden]) input")];
  const current = open[Math.min(answers.length, open.length - 1)];
  if (current && document.activeElement !== fInput) current.focus();
}

// ---------------------------------------------------------------- line-by-line tutor
let session = null;  // the tutor's state: {expr, wrt, lines, hint_level, done}

function jsonList(text) {
  try { const v = JSON.parse(text); return Array.isArray(v) ? v.filter((x) => typeof x === "string") : []; } catch { return []; }
}

async function tutor(action, extra = {}) {
  const out = await api("tutor", { expr: state.f, lines: session ? session.lines : jsonList(state.lines),
    hint_level: session ? session.hint_level : 0, action, ...extra });
  if (out.reply.type === "error") throw new Error(out.reply.message);
  session = out.state;
  state.lines = JSON.stringify(session.lines);
  writeState(state);
  return out.reply;
}

async function loadLines() {
  const mine = ++latest;
  session = null;
  list.replaceChildren();
  done.textContent = "";
  try {
    const start = await tutor("start");
    if (mine !== latest) return;
    status("");
    intro.textContent = `${start.prompt}  Write the next line: derivatives still to take may stay as d/dx [g]; press Check (or Enter).`;
    renderLines();
  } catch (err) {
    status(err.message, true);
  }
}

function renderLines() {
  list.replaceChildren();
  session.lines.forEach((line, i) => {
    const li = element(list, "li", { className: "stage accepted", textContent: `= ${line}` });
    li.dataset.line = String(i);
  });
  if (session.done) { done.textContent = `Done: d/d${session.wrt} [${session.expr}] = ${session.lines.at(-1)}`; return; }
  const li = element(list, "li", { className: "stage", id: "current" });
  const form = element(li, "form", { className: "controls" });
  element(form, "label", { htmlFor: "line", textContent: "= " });
  const input = element(form, "input", { id: "line", type: "text", spellcheck: false, autocomplete: "off" });
  element(form, "button", { type: "submit", textContent: "Check" });
  const hint = element(form, "button", { type: "button", id: "hint", textContent: "hint" });
  const verdict = element(li, "div", { className: "verdict", id: "verdict" });
  verdict.setAttribute("aria-live", "polite");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const r = await tutor("submit", { line: input.value });
      if (r.valid) {
        renderLines();
        const last = list.querySelector(`li[data-line='${session.lines.length - 1}']`);
        if (last) last.textContent += `   ✓ ${r.rules.join(", ") || r.message}`;
        document.getElementById("line")?.focus();
        return;
      }
      verdict.className = "verdict bad";
      verdict.textContent = `✗ ${r.error || r.message}`;
      if (r.mistake) verdict.dataset.mistake = r.mistake;
      if (r.counterexample) verdict.dataset.counterexample = JSON.stringify(r.counterexample);
    } catch (err) { verdict.className = "verdict bad"; verdict.textContent = err.message; }
  });
  hint.addEventListener("click", async () => {
    try {
      const h = await tutor("hint");
      verdict.className = "verdict";
      verdict.textContent = `Hint ${h.level}: ${h.text}`;
      verdict.dataset.hintLevel = String(h.level);
    } catch (err) { verdict.textContent = err.message; }
  });
  if (document.activeElement !== fInput) input.focus();
}

fInput.addEventListener("change", () => { state.f = fInput.value; state.answers = "[]"; state.lines = "[]"; session = null; load(); });
window.addEventListener("load", load);
