// Shared by the walkthrough explorers (chain-rule, integration, steps, tutor): their style
// sheet, and MathML from the server.

export function useStyle() {
  if (document.getElementById("walkthrough-css")) return;
  const link = document.createElement("link");
  Object.assign(link, { id: "walkthrough-css", rel: "stylesheet", href: "/static/explore/walkthrough.css" });
  document.head.append(link);
}

// MathML built by the server from escaped names is safe to insert; otherwise the plain text.
export function setMath(el, markup, fallback) {
  if (markup) el.innerHTML = markup; else el.textContent = fallback || "";
}
