// The `tutor` explorer: the learner differentiates f one step at a time — each sub-derivative
// the engine's step tree takes, innermost first, then f′ itself — and the page checks every
// answer (POST /api/tutor_plan for the questions, POST /api/answer for each verdict, which
// names the mistake and shows a point where a wrong answer differs).
// State in the URL: f, answers (the answers typed so far, as a JSON list).
import { api, control, element, readState, status, writeState } from "./common.js";
import { useStyle } from "./walkthrough.js";

useStyle();
const state = readState({ f: "x^2 sin(x)", answers: "[]" });
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

async function load() {
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

fInput.addEventListener("change", () => { state.f = fInput.value; state.answers = "[]"; load(); });
window.addEventListener("load", load);
