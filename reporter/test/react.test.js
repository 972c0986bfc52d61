// The React adapter in React (createRoot, act): run twice by vitest.config.mjs, against the package's React 19
// and against React 18 (hosts/react18/node_modules).
import { act, createElement, useState, version } from "react";
import { createRoot } from "react-dom/client";
import { describe, expect, it } from "vitest";
import { ihfRootOptions, IhfWidget, useIhfWidget } from "../src/react.js";
import { byType, OTHER, reporter, server, settle, useReporter, WIDGET } from "./fakes.js";

useReporter();
globalThis.IS_REACT_ACT_ENVIRONMENT = true;

async function flushed() {
  await settle();
  reporter.flush();
  await settle();
}

it("runs against the React its project names", () => {
  expect(version.split(".")[0]).toBe(process.env.IHF_REACT_MAJOR || "19");
});

describe("React: IhfWidget and useIhfWidget", () => {
  it("keeps the envelope right across re-renders; a missing id is no envelope", async () => {
    const container = document.createElement("div");
    document.body.appendChild(container);
    let setId;
    function Checkout() {
      const [id, set] = useState(WIDGET);
      setId = set;
      return createElement(
        "div",
        null,
        createElement(IhfWidget, { id, hub: "checkout", as: "section" }, createElement("button", { id: "pay" }, "Pay")),
        createElement("a", { id: "help", ...useIhfWidget({ id: undefined, hub: "checkout" }) }, "Help"),
      );
    }
    const root = createRoot(container, ihfRootOptions());
    await act(async () => root.render(createElement(Checkout)));
    container.querySelector("#pay").click();
    await act(async () => setId(OTHER));
    expect(container.querySelector("section").getAttribute("data-ihf-widget")).toBe(OTHER);
    container.querySelector("#pay").click();
    expect(container.querySelector("#help").hasAttribute("data-ihf-widget")).toBe(false);
    await flushed();
    expect(byType(server, WIDGET, "clicked")).toHaveLength(1);
    expect(byType(server, OTHER, "clicked")).toHaveLength(1);
    await act(async () => root.unmount());
  });
});
