// "Annotate this widget": a small form, opened by Alt+click, Alt+Shift+A on a focused widget, a long press
// on a touch screen, or reporter.annotate(element).

const CATEGORIES = ["friction", "bug", "confusion", "accessibility", "suggestion", "praise"];
const SEVERITIES = ["low", "medium", "high", "critical"];

function options(values, selected) {
  return [...(selected === "" ? [""] : []), ...values]
    .map((v) => {
      const label = v ? `${v[0].toUpperCase()}${v.slice(1)}` : "Let IHF decide";
      return `<option value="${v}"${v === selected ? " selected" : ""}>${label}</option>`;
    })
    .join("");
}

/** Open the form for `element`; `send(body)` returns a Promise of a fetch Response. */
export function openAnnotation(element, send) {
  const old = document.getElementById("ihf-annotate");
  if (old) old.remove();
  const returnFocus = document.activeElement;
  const form = document.createElement("form");
  form.id = "ihf-annotate";
  form.setAttribute("data-ihf-ui", "");
  form.setAttribute("role", "dialog");
  form.setAttribute("aria-label", "Annotate this widget");
  form.style.cssText =
    "position:fixed;z-index:2147483647;right:16px;bottom:16px;width:300px;max-width:calc(100vw - 32px);" +
    "padding:12px;background:#fff;color:#1d2430;border:1px solid #c7ced9;border-radius:8px;" +
    "box-shadow:0 4px 16px rgba(0,0,0,.15);font:14px system-ui,sans-serif;box-sizing:border-box";
  form.innerHTML =
    '<strong style="display:block;margin-bottom:6px">Annotate this widget</strong>' +
    '<textarea name="body" rows="3" required aria-label="What did you notice?" ' +
    'style="width:100%;box-sizing:border-box" placeholder="What did you notice?"></textarea>' +
    `<select name="category" aria-label="Category">${options(CATEGORIES, "")}</select> ` +
    `<select name="severity" aria-label="Severity">${options(SEVERITIES, "medium")}</select>` +
    '<div style="margin-top:8px"><button type="submit">Send</button> ' +
    '<button type="button" data-ihf-close>Cancel</button> <span data-ihf-status role="status"></span></div>';
  const close = () => {
    form.remove();
    if (returnFocus && returnFocus.focus && returnFocus.isConnected) returnFocus.focus();
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const status = form.querySelector("[data-ihf-status]");
    status.textContent = "Sending…";
    send({
      body: form.elements.body.value,
      category: form.elements.category.value,
      severity: form.elements.severity.value,
    }).then(
      (response) => {
        status.textContent = response.ok ? "Thank you!" : `Could not send it (${response.status}).`;
        if (response.ok) setTimeout(close, 800);
      },
      () => {
        status.textContent = "Offline? Try again in a moment.";
      },
    );
  });
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") close();
  });
  form.querySelector("[data-ihf-close]").addEventListener("click", close);
  document.body.appendChild(form);
  form.elements.body.focus();
  return form;
}
